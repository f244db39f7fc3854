#include "data/format/csv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "data/format/jsonl.h"

namespace strata::data {
namespace {

CsvSchema Schema(std::vector<std::string> names, std::vector<Type> types) {
  return CsvSchema{std::move(names), std::move(types), {}};
}

TEST(Csv, Rfc4180QuotingAndBadRecordsWithLines) {
  const std::string text =
      "1,\"a,b\",2.5\r\n"
      "2,\"multi\nline\",3\n"
      "3,\"say \"\"hi\"\"\",\n"
      "4,x\"y,1\n"        // quote inside an unquoted field
      "5,only two\n"      // wrong number of fields
      "six,z,1\n"         // not an int
      "7,\"open,1\n";     // unclosed quote (runs to the end)
  Block b;
  std::vector<BadRecord> bad;
  ParseCsv(text, "f.csv", 2, Schema({"id", "s", "v"}, {Type::kInt64, Type::kString, Type::kDouble}), ',',
           &b, &bad);
  ASSERT_EQ(b.num_rows, 3);
  EXPECT_EQ(b.columns[1].Str(0), "a,b");
  EXPECT_EQ(b.columns[1].Str(1), "multi\nline");
  EXPECT_EQ(b.columns[1].Str(2), "say \"hi\"");
  EXPECT_TRUE(b.columns[2].IsNull(2)) << "empty is null";
  ASSERT_EQ(bad.size(), 4u);
  EXPECT_EQ(bad[0].line, 6) << "the quoted newline on line 3 moves every later line by one";
  EXPECT_EQ(bad[0].reason, "a quote inside an unquoted field");
  EXPECT_EQ(bad[1].line, 7);
  EXPECT_EQ(bad[1].reason, "expected 3 fields, found 2");
  EXPECT_EQ(bad[2].line, 8);
  EXPECT_EQ(bad[2].reason, "field 'id' is not an int64: 'six'");
  EXPECT_EQ(bad[2].text, "six,z,1");
  EXPECT_EQ(bad[3].line, 9);
  EXPECT_EQ(bad[3].reason, "unclosed quote");
}

TEST(Csv, WriteThenReadRoundTrips) {
  Block b;
  std::vector<BadRecord> unused;
  ParseCsv("1,\"a,\"\"b\"\"\",true\n2,,false\n", "f", 1,
           Schema({"n", "s", "flag"}, {Type::kInt64, Type::kString, Type::kBool}), ',', &b, &unused);
  std::string csv;
  WriteCsv(b, ',', false, &csv);
  EXPECT_EQ(csv, "1,\"a,\"\"b\"\"\",true\n2,,false\n");
  std::string jsonl;
  WriteJsonl(b, &jsonl);
  EXPECT_EQ(jsonl, "{\"n\":1,\"s\":\"a,\\\"b\\\"\",\"flag\":true}\n{\"n\":2,\"s\":null,\"flag\":false}\n");
  Block back;
  std::vector<BadRecord> bad;
  ParseJsonl(jsonl, "j", 1, Schema({"n", "s", "flag"}, {Type::kInt64, Type::kString, Type::kBool}), &back, &bad);
  std::string again;
  WriteJsonl(back, &again);
  EXPECT_EQ(again, jsonl);
  EXPECT_TRUE(bad.empty());
}

// Several short fields with "" escapes in one record: each keeps its own
// text (they once pointed into storage that moved as the record grew).
TEST(Csv, ManyEscapedFieldsInOneRecordKeepTheirText) {
  Block b;
  std::vector<BadRecord> bad;
  ParseCsv("\"x\"\"1\",\"y\"\"2\",\"z\"\"3\",\"w\"\"4\",\"v\"\"5\"\n", "f", 1,
           Schema({"a", "b", "c", "d", "e"}, std::vector<Type>(5, Type::kString)), ',', &b, &bad);
  ASSERT_EQ(b.num_rows, 1);
  EXPECT_TRUE(bad.empty());
  const std::vector<std::string> want = {"x\"1", "y\"2", "z\"3", "w\"4", "v\"5"};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(b.columns[i].Str(0), want[i]) << i;
}

TEST(Jsonl, BadLinesAreReportedNotDropped) {
  Block b;
  std::vector<BadRecord> bad;
  ParseJsonl("{\"a\": 1}\nnot json\n[1]\n{\"a\": \"x\"}\n\n{}\n{\"b\": 2}\n", "j.jsonl", 10,
             Schema({"a"}, {Type::kInt64}), &b, &bad);
  EXPECT_EQ(b.num_rows, 2) << "a row without the key is a null";
  ASSERT_EQ(bad.size(), 4u);
  EXPECT_EQ(bad[0].line, 11);
  EXPECT_EQ(bad[0].reason, "not valid JSON");
  EXPECT_EQ(bad[1].reason, "not a JSON object");
  EXPECT_EQ(bad[2].reason, "field 'a' is not int64: \"x\"");
  EXPECT_EQ(bad[3].line, 16);
  EXPECT_NE(bad[3].reason.find("key 'b' is not in the schema"), std::string::npos)
      << "a key the schema lacks would vanish from the output";
}

}  // namespace
}  // namespace strata::data

#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>

#include "data/format/input_file.h"

namespace strata::data {
namespace {

TEST(CompressedInput, GzipAndZstdReadTransparentlyAndCorruptionIsAnError) {
  const std::string dir = std::filesystem::temp_directory_path() / "strata_compressed_test";
  std::filesystem::create_directories(dir);
  const std::string text = "id,name\n1,a\n2,\"b,c\"\n";
  gzFile g = gzopen((dir + "/t.csv.gz").c_str(), "wb");
  gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
  gzclose(g);
  std::string z(ZSTD_compressBound(text.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3));
  std::ofstream(dir + "/t.csv.zst", std::ios::binary) << z;
  for (const char* name : {"/t.csv.gz", "/t.csv.zst"}) {
    const std::string path = dir + name;
    std::string head;
    ASSERT_TRUE(ReadHead(path, 1 << 20, &head).ok());
    EXPECT_EQ(head, text);
    const Result<std::vector<FileRange>> split = SplitCsv(path, true, 1 << 20);
    ASSERT_TRUE(split.ok()) << split.status().message();
    const std::vector<FileRange>& ranges = *split;
    ASSERT_EQ(ranges.size(), 1u);
    std::string body;
    ASSERT_TRUE(ReadRange(ranges[0], &body).ok());
    Block b;
    std::vector<BadRecord> bad;
    ParseCsv(body, path, ranges[0].first_line, CsvSchema{{"id", "name"}, {Type::kInt64, Type::kString}, {}}, ',',
             &b, &bad);
    EXPECT_EQ(b.num_rows, 2);
    EXPECT_EQ(b.columns[1].Str(1), "b,c");
  }
  std::ofstream(dir + "/cut.csv.zst", std::ios::binary) << z.substr(0, z.size() / 2);
  std::string out, error;
  error = ReadHead(dir + "/cut.csv.zst", 1 << 20, &out).message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("cut.csv.zst"), std::string::npos) << error;
  std::ofstream(dir + "/bad.csv.gz", std::ios::binary) << "\x1f\x8b\x08 this is not deflate data";
  error = ReadHead(dir + "/bad.csv.gz", 1 << 20, &out).message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("not valid gzip"), std::string::npos) << error;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::data

namespace strata::data {
namespace {

// Ranges of a split: back to back, covering everything after the header,
// each starting at a record and at the right line number.
void ExpectGoodSplit(const std::string& text, int64_t target) {
  const std::string path = ::testing::TempDir() + "split.csv";
  std::ofstream(path, std::ios::binary) << text;
  const Result<std::vector<FileRange>> split = SplitCsv(path, /*header=*/true, target);
  ASSERT_TRUE(split.ok()) << split.status().message();
  const std::vector<FileRange>& ranges = *split;
  ASSERT_FALSE(ranges.empty());
  const int64_t header_end = static_cast<int64_t>(text.find('\n')) + 1;
  EXPECT_EQ(ranges.front().offset, header_end);
  int64_t at = header_end, line = 2;
  for (const FileRange& r : ranges) {
    ASSERT_EQ(r.offset, at);
    ASSERT_EQ(text[static_cast<size_t>(r.offset - 1)], '\n');
    ASSERT_EQ(r.first_line, line);
    line += std::count(text.begin() + r.offset, text.begin() + r.offset + r.length, '\n');
    at += r.length;
  }
  EXPECT_EQ(at, static_cast<int64_t>(text.size()));
}

TEST(Csv, SplitCutsAtRecordsWithOrWithoutQuotes) {
  std::string plain = "a,b\n";
  for (int i = 0; i < 300000; ++i) plain += std::to_string(i) + ",x" + std::string(static_cast<size_t>(i % 7), 'y') + "\n";
  ExpectGoodSplit(plain, 1 << 20);
  ExpectGoodSplit(plain, 100);
  // Quoted newlines every so often: a cut never lands inside them.
  std::string quoted = "a,b\n";
  for (int i = 0; i < 200000; ++i) {
    quoted += std::to_string(i) + (i % 1000 == 0 ? ",\"two\nlines\"\n" : ",x\n");
  }
  ExpectGoodSplit(quoted, 1 << 20);
  ExpectGoodSplit(quoted, 333);
}

}  // namespace
}  // namespace strata::data

namespace strata::data {
namespace {

TEST(Jsonl, ArraysOfValuesAreListsAndOtherValuesThereAreBadRecords) {
  const std::string path = ::testing::TempDir() + "lists.jsonl";
  std::ofstream(path) << "{\"a\": [1, 2], \"b\": [\"x\"], \"c\": [{\"k\": 1}]}\n{\"a\": [3.5, null], \"b\": []}\n";
  const Result<CsvSchema> inferred = InferJsonlSchema(path);
  ASSERT_TRUE(inferred.ok()) << inferred.status().message();
  const CsvSchema& schema = *inferred;
  EXPECT_EQ(schema.types, (std::vector<Type>{Type::kList, Type::kList, Type::kString}));
  EXPECT_EQ(schema.ElementOf(0), Type::kDouble);
  EXPECT_EQ(schema.ElementOf(1), Type::kString);
  Block b;
  std::vector<BadRecord> bad;
  ParseJsonl("{\"a\": [1, 2], \"b\": [\"x\"]}\n{\"a\": \"no\"}\n{\"a\": [\"x\"]}\n{\"a\": [null]}\n", "f.jsonl", 1,
             schema, &b, &bad);
  ASSERT_EQ(b.num_rows, 2);
  EXPECT_EQ(JsonValue(b.columns[0], 0), "[1,2]");
  EXPECT_EQ(JsonValue(b.columns[0], 1), "[null]");
  EXPECT_EQ(JsonValue(b.columns[1], 1), "null");
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].line, 2);
  EXPECT_NE(bad[0].reason.find("is not a list of double"), std::string::npos) << bad[0].reason;
}

}  // namespace
}  // namespace strata::data
