#include "text/url_filter.h"

#include <gtest/gtest.h>

namespace strata::text {
namespace {

std::shared_ptr<const PublicSuffixes> Psl() {
  auto psl = PublicSuffixes::Load("/usr/share/publicsuffix/public_suffix_list.dat");
  EXPECT_TRUE(psl.ok()) << psl.status().message();
  return *psl;
}

TEST(UrlFilter, RegisteredDomainsFollowThePublicSuffixList) {
  const auto psl = Psl();
  EXPECT_EQ(psl->RegisteredDomain("hey.danger.org"), "danger.org");
  EXPECT_EQ(psl->RegisteredDomain("news.bbc.co.uk"), "bbc.co.uk");
  EXPECT_EQ(psl->RegisteredDomain("co.uk"), "");
  EXPECT_EQ(psl->RegisteredDomain("192.168.1.1"), "");
  EXPECT_EQ(psl->RegisteredDomain("blocke.dcom"), "");  // no such suffix
  EXPECT_EQ(HostOf("HTTPS://User@WWW.Example.COM:8080/a?b#c"), "www.example.com");
}

TEST(UrlFilter, DatatroveCases) {
  const auto psl = Psl();
  UrlFilterLists l;
  l.domains = {"blocked.com", "danger.org", "badsubdomain.nice.com"};
  const std::pair<const char*, const char*> cases[] = {
      {"https://blocked.com/some-sub-url?with=stuff", "domain"},
      {"https://hey.danger.org/some-sub-url?with=stuff", "domain"},
      {"http://hey.danger.org/some-sub-url?with=stuff", "domain"},
      {"http://www.danger.org/some-sub-url?with=stuff", "domain"},
      {"https://nice.com/some-sub-url?with=stuff", ""},
      {"https://badsubdomain.nice.com/some-sub-url?with=stuff", "subdomain"},
      {"https://sdsd.badsubdomain.nice.com/some-sub-url?with=stuff", ""},
      {"https://blocke.dcom/some-sub-url?with=stuff", ""},
  };
  for (const auto& [url, reason] : cases) EXPECT_EQ(JudgeUrl(l, *psl, url), reason) << url;
}

TEST(UrlFilter, WordsSoftWordsAndSubwords) {
  const auto psl = Psl();
  UrlFilterLists l;
  l.urls = {"https://example.com/exact"};
  l.banned_words = {"casino"};
  l.soft_banned_words = {"free", "win"};
  l.banned_subwords = {"xxx"};
  EXPECT_EQ(JudgeUrl(l, *psl, "https://example.com/exact"), "url");
  EXPECT_EQ(JudgeUrl(l, *psl, "https://example.com/best-casino/"), "hard_blacklisted");
  EXPECT_EQ(JudgeUrl(l, *psl, "https://example.com/Casino"), "");  // the URL's words keep their case
  EXPECT_EQ(JudgeUrl(l, *psl, "https://example.com/free-money"), "");  // one soft word of two
  EXPECT_EQ(JudgeUrl(l, *psl, "https://example.com/win/free"), "soft_blacklisted");
  EXPECT_EQ(JudgeUrl(l, *psl, "https://ex.com/a-X.X.X-b"), "blacklisted_subword");
}

}  // namespace
}  // namespace strata::text
