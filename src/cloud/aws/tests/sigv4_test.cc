// Walks the AWS Signature Version 4 test suite (every folder with a .req, at
// any depth) and checks the canonical request, string to sign and
// Authorization header against the published files. The suite's location
// comes from $STRATA_SIGV4_SUITE, so any copy of it can be run.
#include "cloud/aws/sigv4.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace strata::aws {
namespace {

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A .req file: "METHOD URI HTTP/1.1", header lines (a line starting with
// spaces continues the previous header as another value), a blank line, body.
SignableRequest ParseReq(const std::string& text) {
  SignableRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  const size_t sp = line.find(' ');
  const size_t http = line.rfind(" HTTP/");
  r.method = line.substr(0, sp);
  const std::string uri = line.substr(sp + 1, http - sp - 1);
  const size_t q = uri.find('?');
  r.path = uri.substr(0, q);
  if (q != std::string::npos) r.query = uri.substr(q + 1);
  while (std::getline(in, line)) {
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      r.headers.emplace_back(r.headers.back().first, line);
      continue;
    }
    const size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::stringstream rest;
  rest << in.rdbuf();
  r.body = rest.str();
  return r;
}

TEST(Sigv4Suite, EveryCaseMatchesThePublishedSignature) {
  const char* env = std::getenv("STRATA_SIGV4_SUITE");
  const std::filesystem::path suite = env != nullptr ? env : STRATA_SIGV4_SUITE_DEFAULT;
  ASSERT_TRUE(std::filesystem::is_directory(suite)) << suite << " is not a directory";
  const Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  int cases = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(suite)) {
    if (e.path().extension() != ".req") continue;
    const std::filesystem::path base = e.path().parent_path() / e.path().stem();
    SCOPED_TRACE(base.string());
    const SignableRequest req = ParseReq(Read(e.path()));
    std::string date;
    for (const auto& [k, v] : req.headers) {
      if (k == "X-Amz-Date") date = v;
    }
    const SignatureParts got = SignV4(req, creds, "us-east-1", "service", date);
    EXPECT_EQ(got.canonical_request, Read(base.string() + ".creq"));
    EXPECT_EQ(got.string_to_sign, Read(base.string() + ".sts"));
    EXPECT_EQ(got.authorization, Read(base.string() + ".authz"));
    ++cases;
  }
  EXPECT_GE(cases, 20) << "the suite has at least 20 cases";
}

TEST(Sigv4, EncodingAndDates) {
  EXPECT_EQ(UriEncode("a b/c~", false), "a%20b%2Fc~");
  EXPECT_EQ(UriEncode("a b/c~", true), "a%20b/c~");
  EXPECT_EQ(AmzDate(1440938160), "20150830T123600Z");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace strata::aws
