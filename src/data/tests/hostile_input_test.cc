// Inputs that once crashed a worker or lost rows without a word: each is now
// read in full, refused naming the file, or a bad record with its reason.
#include <gtest/gtest.h>

#include "data/tests/scratch_files.h"
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "data/format/csv.h"
#include "data/format/input_file.h"
#include "data/format/jsonl.h"
#include "data/exec/pipeline.h"
#include "data/format/source.h"

namespace strata::data {
namespace {

using testing::WriteFile;

std::string TempPath(const std::string& name) { return testing::ScratchPath("strata-hostile", name); }

std::string Gzip(const std::string& text) {
  const std::string path = TempPath("gzip-scratch.gz");
  gzFile g = gzopen(path.c_str(), "wb");
  gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
  gzclose(g);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Lines(int n) {
  std::string text = "id,name\n";
  for (int i = 0; i < n; ++i) text += std::to_string(i) + ",row" + std::to_string(i) + "\n";
  return text;
}

TEST(HostileInput, TruncatedGzipIsAnErrorAtEveryCut) {
  const std::string full = Gzip(Lines(3000));
  const std::string path = TempPath("cut.csv.gz");
  std::string out, error;
  WriteFile(path, full);
  ASSERT_TRUE(ReadHead(path, SIZE_MAX, &out).ok());
  EXPECT_EQ(out, Lines(3000));
  // Cut anywhere, the trailer included: refused, never a shorter last record.
  for (size_t cut = 1; cut < full.size(); cut += std::max<size_t>(1, full.size() / 200)) {
    WriteFile(path, full.substr(0, cut));
    error.clear();
    error = ReadHead(path, SIZE_MAX, &out).message();
    EXPECT_FALSE(error.empty()) << "cut at " << cut << " of " << full.size();
    EXPECT_NE(error.find(path), std::string::npos) << error;
  }
  WriteFile(path, full.substr(0, full.size() - 1));
  error = ReadHead(path, SIZE_MAX, &out).message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
}

TEST(HostileInput, PlainFileNamedGzIsRefused) {
  const std::string path = TempPath("plain.csv.gz");
  WriteFile(path, Lines(10));
  std::string out, error;
  error = ReadHead(path, SIZE_MAX, &out).message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("is named .gz but is not gzip"), std::string::npos) << error;
}

TEST(HostileInput, ByteOrderMarkIsNotPartOfTheFirstName) {
  const std::string path = TempPath("bom.csv");
  WriteFile(path, "\xEF\xBB\xBFid,name\n1,a\n");
  Result<CsvSchema> schema = InferCsvSchema(path, ',', true);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(schema->names, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(schema->types[0], Type::kInt64);
  // Without a header the first value is read clean too.
  const Result<std::vector<FileRange>> ranges = SplitCsv(path, false, 1 << 20);
  ASSERT_TRUE(ranges.ok()) << ranges.status().message();
  ASSERT_EQ(ranges->size(), 1u);
  std::string body;
  ASSERT_TRUE(ReadRange((*ranges)[0], &body).ok());
  EXPECT_EQ(body.substr(0, 7), "id,name");
  const std::string jsonl = TempPath("bom.jsonl");
  WriteFile(jsonl, "\xEF\xBB\xBF{\"a\": 1}\n");
  schema = InferJsonlSchema(jsonl);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(schema->names, (std::vector<std::string>{"a"}));
}

TEST(HostileInput, RepeatedCsvHeaderNamesAreRenamedNotMerged) {
  const std::string path = TempPath("dup.csv");
  WriteFile(path, "a,a,b,a_2,a\n1,2,3,4,5\n");
  const Result<CsvSchema> inferred = InferCsvSchema(path, ',', true);
  ASSERT_TRUE(inferred.ok()) << inferred.status().message();
  const CsvSchema& schema = *inferred;
  EXPECT_EQ(schema.names, (std::vector<std::string>{"a", "a_3", "b", "a_2", "a_4"}));
  Block b;
  std::vector<BadRecord> bad;
  const Result<std::vector<FileRange>> split = SplitCsv(path, true, 1 << 20);
  ASSERT_TRUE(split.ok()) << split.status().message();
  const std::vector<FileRange>& ranges = *split;
  std::string body;
  ASSERT_TRUE(ReadRange(ranges.at(0), &body).ok());
  ParseCsv(body, path, ranges[0].first_line, schema, ',', &b, &bad);
  ASSERT_EQ(b.num_rows, 1);
  ASSERT_EQ(b.columns.size(), 5u);
  EXPECT_EQ(b.columns[4].i64.at(0), 5);
  EXPECT_TRUE(bad.empty());
}

struct Parsed {
  Block block;
  std::vector<BadRecord> bad;
};

Parsed ParseJsonlText(const std::string& text, const CsvSchema& schema) {
  Parsed p;
  ParseJsonl(text, "f.jsonl", 1, schema, &p.block, &p.bad);
  return p;
}

TEST(HostileInput, DeepJsonIsABadRecordNotAStackOverflow) {
  const std::string deep = "{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  const Parsed p = ParseJsonlText("{\"a\": 1}\n" + deep + "\n", CsvSchema{{"a"}, {Type::kString}, {}});
  EXPECT_EQ(p.block.num_rows, 1);
  ASSERT_EQ(p.bad.size(), 1u);
  EXPECT_EQ(p.bad[0].line, 2);
  EXPECT_NE(p.bad[0].reason.find("nested deeper than"), std::string::npos) << p.bad[0].reason;
}

TEST(HostileInput, RepeatedJsonKeyIsABadRecord) {
  const Parsed p = ParseJsonlText("{\"a\": 1, \"b\": {\"a\": 2, \"c\": \"x:y\"}}\n{\"a\": 1, \"a\": 2}\n",
                                  CsvSchema{{"a", "b"}, {Type::kInt64, Type::kString}, {}});
  EXPECT_EQ(p.block.num_rows, 1) << "keys repeated at other levels, or colons in strings, are fine";
  ASSERT_EQ(p.bad.size(), 1u);
  EXPECT_EQ(p.bad[0].reason, "a key appears twice in the object");
}

TEST(HostileInput, LateJsonKeyIsReportedOrDeclaredNeverDropped) {
  std::string text;
  for (int i = 0; i < 1500; ++i) text += "{\"a\": " + std::to_string(i) + "}\n";
  text += "{\"a\": 1500, \"late\": \"here\"}\n";
  const std::string path = TempPath("late.jsonl");
  WriteFile(path, text);
  const Result<CsvSchema> inferred = InferJsonlSchema(path);
  ASSERT_TRUE(inferred.ok()) << inferred.status().message();
  const CsvSchema& schema = *inferred;
  ASSERT_EQ(schema.names, (std::vector<std::string>{"a"}));
  Parsed p = ParseJsonlText(text, schema);
  EXPECT_EQ(p.block.num_rows, 1500);
  ASSERT_EQ(p.bad.size(), 1u);
  EXPECT_EQ(p.bad[0].line, 1501);
  EXPECT_NE(p.bad[0].reason.find("key 'late' is not in the schema"), std::string::npos) << p.bad[0].reason;
  // Declared under read.schema, it is read where it appears.
  SourceSpec src;
  src.format = "jsonl";
  src.paths = {path};
  src.schema = {{"late", "string"}};
  Result<SourcePlan> planned = PlanSource(src, 1 << 20);
  ASSERT_TRUE(planned.ok()) << planned.status().message();
  p = ParseJsonlText(text, planned->schema);
  EXPECT_EQ(p.block.num_rows, 1501);
  EXPECT_TRUE(p.bad.empty());
  EXPECT_EQ(p.block.columns[1].Str(1500), "here");
}

TEST(HostileInput, FirstJsonRecordLargerThanTheSampleStillGivesItsColumns) {
  const std::string big(3 << 20, 'x');
  const std::string path = TempPath("big.jsonl");
  WriteFile(path, "{\"id\": 1, \"text\": \"" + big + "\"}\n{\"id\": 2, \"text\": \"y\"}\n");
  const Result<CsvSchema> schema = InferJsonlSchema(path);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(schema->names, (std::vector<std::string>{"id", "text"}));
}

TEST(HostileInput, YamlAliasBombIsRefused) {
  std::string yaml = "read:\n  format: items\n  items:\n    - &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    yaml += "    - &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) yaml += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    yaml += "]\n";
  }
  yaml += "write: {format: jsonl, path: out}\n";
  const std::string path = TempPath("bomb.yaml");
  WriteFile(path, yaml);
  const std::string error = LoadPipeline(path).status().message();
  EXPECT_NE(error.find("expands to more than"), std::string::npos) << error;
}

}  // namespace
}  // namespace strata::data
