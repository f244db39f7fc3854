// A bounded mutation fuzz of every reader: valid inputs with bytes flipped,
// inserted, deleted, repeated and cut. Each read must end (no crash, no hang,
// no exception out of the reader) and account for every record: a row or a
// bad record, never neither. Fixed seeds, so a failure reproduces.
// STRATA_FUZZ_ROUNDS scales the count (make bench runs a longer pass).
#include <gtest/gtest.h>

#include "data/tests/scratch_files.h"
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "autoscaler/cluster_config.h"
#include "data/format/csv.h"
#include "data/format/input_file.h"
#include "data/format/jsonl.h"
#include "data/format/parquet/reader.h"
#include "data/format/parquet/writer.h"
#include "data/exec/pipeline.h"

namespace strata::data {
namespace {

int Rounds(int base) {
  const char* scale = std::getenv("STRATA_FUZZ_ROUNDS");
  return scale != nullptr ? base * std::max(1, std::atoi(scale)) : base;
}

using testing::WriteFile;

std::string TempPath(const std::string& name) { return testing::ScratchPath("strata-fuzz", name); }

using testing::ReadFile;

// One to four edits of the kinds that break readers: bytes that mean
// something to the format are favoured over random ones.
std::string Mutate(std::string s, std::mt19937& rng) {
  static const std::string kSpecial[] = {"\"", "\n", "\r", ",", "\t", "{", "}", "[", "]", ":", "\\",
                                         std::string(1, '\0'), "\xEF\xBB\xBF", "\xFF", "&a", "*a", "-",
                                         "9999999999999999999999", "1e999", "null"};
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = rng() % s.size();
    switch (rng() % 6) {
      case 0: s[at] = static_cast<char>(rng()); break;
      case 1: s.insert(at, kSpecial[rng() % std::size(kSpecial)]); break;
      case 2: s.erase(at, 1 + rng() % 16); break;
      case 3: s.insert(at, s.substr(at, 1 + rng() % 64)); break;
      case 4: s.resize(at); break;
      default: s[at] = kSpecial[rng() % std::size(kSpecial)][0];
    }
  }
  return s;
}

int64_t CountNonBlankLines(const std::string& text) {
  int64_t n = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    n += line.find_first_not_of(" \t") != std::string_view::npos;
    pos = end + 1;
  }
  return n;
}

std::string SampleCsv() {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += std::to_string(i) + "," + std::to_string(i * 0.5) + ",\"name " + std::to_string(i) +
            ", with comma\"," + (i % 2 ? "true" : "false") + ",2024-01-0" + std::to_string(1 + i % 9) + "\n";
  }
  return text;
}

std::string SampleJsonl() {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "{\"id\": " + std::to_string(i) + ", \"x\": " + std::to_string(i * 0.5) + ", \"s\": \"a\\\"b " +
            std::to_string(i) + "\", \"l\": [1, 2, " + std::to_string(i) + "], \"o\": {\"k\": [true]}}\n";
  }
  return text;
}

TEST(ReaderFuzz, CsvEveryRecordIsARowOrABadRecord) {
  const CsvSchema schema{{"id", "x", "name", "flag", "day"},
                         {Type::kInt64, Type::kDouble, Type::kString, Type::kBool, Type::kTimestamp},
                         {}};
  const std::string good = SampleCsv();
  std::mt19937 rng(11);
  for (int round = 0; round < Rounds(1500); ++round) {
    const std::string text = Mutate(good, rng);
    Block b;
    std::vector<BadRecord> bad;
    ParseCsv(text, "f.csv", 1, schema, ',', &b, &bad);
    for (const BadRecord& r : bad) EXPECT_FALSE(r.reason.empty());
    const int64_t accounted = b.num_rows + static_cast<int64_t>(bad.size());
    if (text.find('"') == std::string::npos) {
      // Without quotes a record is a line: the count is exact.
      EXPECT_EQ(accounted, CountNonBlankLines(text)) << "round " << round;
    } else {
      // A quote may join lines into one record; a CR after a closing quote
      // ends one (a CR line ending).
      const auto crs = std::count(text.begin(), text.end(), '\r');
      EXPECT_LE(accounted, CountNonBlankLines(text) + crs) << "round " << round << "\n" << text;
      if (CountNonBlankLines(text) > 0) {
        EXPECT_GE(accounted, 1) << "round " << round;
      }
    }
  }
}

TEST(ReaderFuzz, JsonlEveryLineIsARowOrABadRecord) {
  const CsvSchema schema{{"id", "x", "s", "l", "o"},
                         {Type::kInt64, Type::kDouble, Type::kString, Type::kList, Type::kString},
                         {Type::kNull, Type::kNull, Type::kNull, Type::kInt64, Type::kNull}};
  const std::string good = SampleJsonl();
  std::mt19937 rng(12);
  for (int round = 0; round < Rounds(1500); ++round) {
    const std::string text = Mutate(good, rng);
    Block b;
    std::vector<BadRecord> bad;
    ParseJsonl(text, "f.jsonl", 1, schema, &b, &bad);
    EXPECT_EQ(b.num_rows + static_cast<int64_t>(bad.size()), CountNonBlankLines(text)) << "round " << round;
    CsvSchema inferred;
    InferJsonlSchemaOf(text, &inferred);  // must not throw or crash
    EXPECT_EQ(inferred.names.size(), inferred.types.size());
  }
}

TEST(ReaderFuzz, CompressedInputsReadWhollyOrFailNamingTheFile) {
  const std::string text = SampleCsv() + SampleCsv();
  const std::string gz_path = TempPath("fuzz.csv.gz");
  gzFile g = gzopen(gz_path.c_str(), "wb");
  gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
  gzclose(g);
  const std::string gz = ReadFile(gz_path);
  std::string zst(ZSTD_compressBound(text.size()), '\0');
  zst.resize(ZSTD_compress(zst.data(), zst.size(), text.data(), text.size(), 3));
  std::mt19937 rng(13);
  int silent_losses = 0;
  for (const auto& [name, good] : {std::pair{std::string("fuzz.csv.gz"), gz}, std::pair{std::string("m.csv.zst"), zst}}) {
    const std::string path = TempPath(name);
    for (int round = 0; round < Rounds(400); ++round) {
      const std::string bytes = Mutate(good, rng);
      WriteFile(path, bytes);
      std::string out;
      const Status read = ReadHead(path, SIZE_MAX, &out);
      const std::string& error = read.message();
      if (read.ok()) {
        // Read without complaint: then it is all of it (a checksum guards
        // the content), unless the edit made another valid stream.
        const bool lost = out.size() < text.size() && text.compare(0, out.size(), out) == 0;
        silent_losses += lost;
        if (lost) ADD_FAILURE() << name << " round " << round << ": " << out.size() << " of " << text.size() << " bytes";
      } else {
        EXPECT_NE(error.find(path), std::string::npos) << error;
      }
    }
  }
  EXPECT_EQ(silent_losses, 0) << "a damaged stream read as a clean prefix of the data";
}

TEST(ReaderFuzz, ParquetFilesReadOrFailNamingTheFile) {
  Block sample;
  sample.Add("id", Column::OfType(Type::kInt64));
  sample.Add("s", Column::OfType(Type::kString));
  for (int i = 0; i < 500; ++i) {
    sample.columns[0].AppendInt(i % 37);
    sample.columns[1].AppendString("v" + std::to_string(i % 11));
    ++sample.num_rows;
  }
  std::string ours;
  ParquetWriteOptions o;
  o.row_group_rows = 200;
  WriteParquet(sample, o, &ours);
  // Ours, and DuckDB's files (delta encodings, data page v2, every codec).
  std::vector<std::string> goods = {ours};
  for (const auto& f : std::filesystem::directory_iterator(STRATA_PARQUET_VECTORS)) {
    if (f.path().extension() == ".parquet") goods.push_back(ReadFile(f.path().string()));
  }
  ASSERT_GE(goods.size(), 2u) << "no DuckDB files in " << STRATA_PARQUET_VECTORS;
  const std::string path = TempPath("fuzz.parquet");
  std::mt19937 rng(14);
  for (int round = 0; round < Rounds(600); ++round) {
    WriteFile(path, Mutate(goods[static_cast<size_t>(round) % goods.size()], rng));
    const Result<ParquetFileInfo> info = ReadParquetInfo(path);
    if (!info.ok()) {
      EXPECT_NE(info.status().message().find(path), std::string::npos) << info.status().message();
      continue;
    }
    for (size_t g = 0; g < info->row_group_rows.size(); ++g) {
      Block part;
      const Status read = ReadParquetRowGroup(path, static_cast<int>(g), info->schema, &part);
      if (read.ok()) {
        EXPECT_EQ(part.num_rows, info->row_group_rows[g]) << "round " << round;
      } else {
        EXPECT_NE(read.message().find(path), std::string::npos) << read.message();
      }
    }
  }
}

TEST(ReaderFuzz, PipelineAndClusterYamlLoadOrSayWhy) {
  const std::string pipeline =
      "read: {format: csv, paths: [in/*.csv], on_bad_record: quarantine, schema: {id: int64}}\n"
      "steps:\n  - filter: \"id > 3 and name != 'x'\"\n  - with_column: {name: &y y, expr: \"id * 2\"}\n"
      "  - groupby: {by: [name, *y], agg: {n: \"count()\", s: \"sum(id)\"}}\n  - sort: {by: [n]}\n"
      "write: {format: parquet, path: out, compression: zstd}\n";
  const std::string cluster =
      "cluster_name: c\nmax_workers: 4\nprovider: {type: local}\nhead_node_type: head\n"
      "available_node_types:\n  head: {resources: {CPU: 0}}\n"
      "  w: {resources: {CPU: 2, spot: 1}, min_workers: 0, max_workers: 4, price_per_hour: 0.1,\n"
      "      node_config: {object_store_memory: \"100000000\"}}\n";
  const std::string path = TempPath("fuzz.yaml");
  {
    WriteFile(path, pipeline);
    const Result<PipelineSpec> spec = LoadPipeline(path);
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    const Result<autoscaler::ClusterConfig> config = autoscaler::ParseClusterConfig(cluster, "c.yaml");
    ASSERT_TRUE(config.ok()) << config.status().message();
  }
  std::mt19937 rng(15);
  int loaded = 0, refused = 0;
  for (int round = 0; round < Rounds(600); ++round) {
    WriteFile(path, Mutate(pipeline, rng));
    bool ok = false;
    EXPECT_NO_THROW({
      const Result<PipelineSpec> spec = LoadPipeline(path);
      ok = spec.ok();
      if (!ok) {
        EXPECT_FALSE(spec.status().message().empty());
      }
    }) << "round " << round;
    loaded += ok;
    refused += !ok;
    EXPECT_NO_THROW({
      const Result<autoscaler::ClusterConfig> config = autoscaler::ParseClusterConfig(Mutate(cluster, rng), "c.yaml");
      if (!config.ok()) {
        EXPECT_FALSE(config.status().message().empty());
      }
    });
  }
  // Both kinds happen: the edits are neither all harmless nor all fatal.
  EXPECT_GT(loaded, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace strata::data
