// Formats come from the registry: a library adds one and sources read it,
// and the names in errors are the registered ones.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "data/format/format_registry.h"

namespace strata::data {
namespace {

// A source without files: `n` rows of "row i" in column "line".
class CountingSource : public SourceFormat {
 public:
  bool reads_files() const override { return false; }
  Status Plan(const SourceSpec& src, const std::vector<std::string>&, int64_t, CsvSchema* schema,
              std::vector<FileRange>* ranges) const override {
    *schema = CsvSchema{{"line"}, {Type::kString}, {}};
    ranges->push_back({"counting", 0, src.n, 0, ""});
    return OkStatus();
  }
  Status Read(const FileRange& range, const CsvSchema&, Block* out, std::vector<BadRecord>*,
              int64_t* bytes) const override {
    Column c = Column::OfType(Type::kString);
    for (int64_t i = 0; i < range.length; ++i) c.AppendString("row " + std::to_string(i));
    *out = Block{};
    out->num_rows = c.length;
    out->Add("line", std::move(c));
    *bytes = 0;
    return OkStatus();
  }
};

TEST(FormatRegistry, ARegisteredFormatIsPlannedAndReadLikeABuiltinOne) {
  FormatRegistry()["counting"] = {std::make_unique<CountingSource>(), nullptr};
  Result<SourceSpec> spec = SourceFromJson(nlohmann::ordered_json{{"format", "counting"}, {"paths", {"unused"}}}, "read");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  SourceSpec src = *spec;
  src.n = 3;
  Result<SourcePlan> plan = PlanSource(src, 1 << 20);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->ranges.size(), 1u);
  Block b;
  std::vector<BadRecord> bad;
  int64_t bytes = 0;
  const Status read = ReadPart("counting", plan->ranges[0], plan->schema, &b, &bad, &bytes);
  ASSERT_TRUE(read.ok()) << read.message();
  ASSERT_EQ(b.num_rows, 3);
  EXPECT_EQ(b.Get("line")->Str(2), "row 2");
  // Readable, not writable.
  EXPECT_NE(ReadableFormatNames().find("counting"), std::string::npos);
  EXPECT_EQ(WritableFormatNames().find("counting"), std::string::npos);
  FormatRegistry().erase("counting");
}

TEST(FormatRegistry, UnknownFormatsAreErrorsListingTheKnownOnes) {
  std::string error =
      SourceFromJson(nlohmann::ordered_json{{"format", "xls"}, {"paths", {"a.xls"}}}, "read").status().message();
  // The built-in formats, and any an operator library linked here added
  // (this test program links the speech library: common_voice).
  EXPECT_NE(error.find("format must be "), std::string::npos) << error;
  EXPECT_NE(error.find("csv, items, jsonl, parquet, range, text or tsv, not 'xls'"), std::string::npos) << error;
  WriteSpec w;
  w.format = "xls";
  w.path = "out";
  error = CheckWriteSpec(w).message();
  EXPECT_FALSE(error.empty());
  for (const char* name : {"csv", "jsonl", "parquet", "text", "tsv", "not 'xls'"}) {
    EXPECT_NE(error.find(name), std::string::npos) << error;
  }
  Block b;
  std::vector<BadRecord> bad;
  int64_t bytes = 0;
  const Status read = ReadPart("xls", FileRange{}, CsvSchema{}, &b, &bad, &bytes);
  EXPECT_EQ(read.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(read.message().find("no format 'xls'"), std::string::npos) << read.message();
  SourceSpec missing;
  missing.format = "csv";
  missing.paths = {"/nonexistent/strata-*.csv"};
  EXPECT_EQ(PlanSource(missing, 1 << 20).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata::data

#include <filesystem>
#include <fstream>

#include "data/format/output.h"
#include "data/format/parquet/compression.h"

namespace strata::data {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

TEST(WriteOutput, TextFormatsCompressWholeFilesWhenAsked) {
  Block b;
  Column c = Column::OfType(Type::kString);
  c.AppendString("x");
  c.AppendString("y");
  b.Add("s", std::move(c));
  b.num_rows = 2;
  const std::string dir = testing::TempDir() + "/strata_write_compressed";
  std::filesystem::remove_all(dir);
  std::string error;
  WriteSpec plain{"jsonl", dir + "/plain", "", "none", {}};
  ASSERT_TRUE(WriteOutput(b, plain, 0).ok());
  const std::string expected = Slurp(dir + "/plain/part-00000.jsonl");
  EXPECT_EQ(expected, "{\"s\":\"x\"}\n{\"s\":\"y\"}\n");
  for (const char* codec : {"zstd", "gzip"}) {
    WriteSpec packed{"jsonl", dir + "/" + codec, "", codec, {}};
    ASSERT_TRUE(CheckWriteSpec(packed).ok());
    const Status written = WriteOutput(b, packed, 0);
    ASSERT_TRUE(written.ok()) << written.message();
    const std::string path = dir + "/" + codec + "/part-00000.jsonl" + (std::string(codec) == "zstd" ? ".zst" : ".gz");
    std::string back;
    const Status unpacked = parquet::Decompress(std::string(codec) == "zstd" ? 6 : 2, Slurp(path), expected.size(), &back);
    ASSERT_TRUE(unpacked.ok()) << unpacked.message();
    EXPECT_EQ(back, expected) << codec;
  }
  WriteSpec bad{"jsonl", dir + "/bad", "", "lz4", {}};
  error = CheckWriteSpec(bad).message();
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("zstd, gzip or none"), std::string::npos) << error;
}

}  // namespace
TEST(FormatRegistry, SourceFieldsOfTheWrongKindAreErrorsNotExceptions) {
  using json = nlohmann::ordered_json;
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"format", "csv"}, {"paths", {1, 2}}}, "paths must be a file name or a list of them"},
      {{{"format", "csv"}, {"path", json::object()}}, "path must be a file name or a list of them"},
      {{{"format", 7}, {"paths", "a.csv"}}, "format must be a name"},
      {{{"format", "csv"}, {"paths", "a.csv"}, {"header", "yes"}}, "header must be true or false"},
      {{{"format", "csv"}, {"paths", "a.csv"}, {"on_bad_record", 1}}, "on_bad_record must be"},
      {{{"format", "csv"}, {"paths", "a.csv"}, {"quarantine_path", 3}}, "quarantine_path must be"},
      {{{"format", "csv"}, {"paths", "a.csv"}, {"schema", {{"x", 5}}}}, "schema.x must be a type name"},
      {{{"format", "csv"}, {"paths", "a.csv"}, {"schema", "int64"}}, "schema must be a mapping"},
  };
  for (const auto& [source, expected] : cases) {
    const Result<SourceSpec> read = SourceFromJson(source, "read");
    ASSERT_FALSE(read.ok()) << source.dump();
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(read.status().message().rfind("read: ", 0), 0u) << read.status().message();
    EXPECT_NE(read.status().message().find(expected), std::string::npos) << read.status().message();
  }
  EXPECT_EQ(ExpandPaths({"/no/such/dir/*.csv"}).status().code(), StatusCode::kNotFound);
}

}  // namespace strata::data

