#include <gtest/gtest.h>

#include "data/tests/scratch_files.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "data/format/input_file.h"
#include "data/format/parquet/encoding.h"
#include "data/format/parquet/reader.h"
#include "data/format/parquet/writer.h"
#include "data/timestamp.h"

namespace strata::data {
namespace {

using nlohmann::json;

using testing::WriteFile;

std::string TempPath(const std::string& name) { return testing::ScratchPath("strata-parquet", name); }

// Every row group of a file, appended.
Status ReadAll(const std::string& path, Block* out) {
  STRATA_ASSIGN_OR_RETURN(const ParquetFileInfo info, ReadParquetInfo(path));
  *out = Block{};
  for (size_t g = 0; g < info.row_group_rows.size(); ++g) {
    Block part;
    STRATA_RETURN_IF_ERROR(ReadParquetRowGroup(path, static_cast<int>(g), info.schema, &part));
    out->Append(part);
  }
  return OkStatus();
}

TEST(ParquetEncoding, HybridRoundTripsRunsAndLiterals) {
  std::mt19937 rng(7);
  for (int width : {1, 2, 3, 7, 8, 13, 20, 32}) {
    std::vector<uint32_t> v;
    const uint64_t mask = width == 32 ? 0xffffffffu : (uint64_t{1} << width) - 1;
    for (int i = 0; i < 3000; ++i) {
      // Mix long runs (RLE) with random stretches (bit-packed), unaligned.
      if (i % 500 < 100) v.push_back(static_cast<uint32_t>(i / 500 & mask));
      else v.push_back(static_cast<uint32_t>(rng() & mask));
    }
    std::string bytes;
    parquet::EncodeHybrid(v.data(), v.size(), width, &bytes);
    std::vector<uint32_t> back(v.size());
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    ASSERT_TRUE(parquet::DecodeHybrid({p, p + bytes.size()}, width, static_cast<int64_t>(v.size()), back.data()))
        << "width " << width;
    EXPECT_EQ(back, v) << "width " << width;
    // Cut short: an error, never a read past the end.
    EXPECT_FALSE(parquet::DecodeHybrid({p, p + bytes.size() / 2}, width, static_cast<int64_t>(v.size()), back.data()));
  }
}

TEST(ParquetEncoding, DeltaBinaryPackedReadsTheSpecExample) {
  // parquet-format Encodings.md, example 1: 1, 2, 3, 4, 5 — block of 128
  // values in 4 miniblocks; deltas all 1, so min delta 1 and width 0.
  const uint8_t bytes[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
  parquet::Bytes in{bytes, bytes + sizeof(bytes)};
  std::vector<int64_t> out;
  ASSERT_TRUE(parquet::DecodeDeltaBinaryPacked(&in, 5, &out));
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  parquet::Bytes cut{bytes, bytes + 5};
  out.clear();
  EXPECT_FALSE(parquet::DecodeDeltaBinaryPacked(&cut, 5, &out));
}

Block Sample(int64_t rows) {
  Block b;
  Column id = Column::OfType(Type::kInt64), x = Column::OfType(Type::kDouble), ok = Column::OfType(Type::kBool),
         name = Column::OfType(Type::kString), kind = Column::OfType(Type::kString),
         ts = Column::OfType(Type::kTimestamp), nothing = Column::OfType(Type::kNull),
         zone = Column::OfType(Type::kInt64), fare = Column::OfType(Type::kDouble),
         nums = Column::ListOf(Type::kInt64), words = Column::ListOf(Type::kString),
         bytes = Column::OfType(Type::kBinary);
  for (int64_t i = 0; i < rows; ++i) {
    id.AppendInt(i * 1000003 - 5'000'000);
    if (i % 5 == 0) x.AppendNull(); else x.AppendDouble(static_cast<double>(i) / 7);
    if (i % 11 == 0) ok.AppendNull(); else ok.AppendBool(i % 3 == 0);
    name.AppendString("name-" + std::to_string(i) + std::string(static_cast<size_t>(i % 13), 'z'));
    if (i % 9 == 0) kind.AppendNull(); else kind.AppendString(i % 4 == 0 ? "alpha" : i % 4 == 1 ? "beta" : "gamma");
    ts.AppendInt(1'700'000'000'000'000 + i * 1'234'567);
    nothing.AppendNull();
    zone.AppendInt(i % 50);  // repeating values: dictionary-encoded
    if (i % 13 == 0) fare.AppendNull(); else fare.AppendDouble(static_cast<double>(i % 20) * 0.5);
    // Lists: null, empty, with null values, of several lengths.
    if (i % 17 == 0) {
      nums.AppendNull();
    } else {
      for (int64_t k = 0; k < i % 4; ++k) {
        if ((i + k) % 6 == 0) nums.Values().AppendNull(); else nums.Values().AppendInt(i * 10 + k);
      }
      nums.EndList();
    }
    for (int64_t k = 0; k < 1 + i % 3; ++k) words.Values().AppendString(k == 0 ? "first" : "w" + std::to_string(i % 5));
    words.EndList();
    if (i % 7 == 3) bytes.AppendNull();
    else bytes.AppendString(std::string("\x00\xff", 2) + std::string(static_cast<size_t>(i % 5), static_cast<char>(i)));
  }
  for (auto& [n, c] : std::vector<std::pair<std::string, Column>>{
           {"id", id}, {"x", x}, {"ok", ok}, {"name", name}, {"kind", kind}, {"ts", ts}, {"nothing", nothing},
           {"zone", zone}, {"fare", fare}, {"nums", nums}, {"words", words}, {"bytes", bytes}}) {
    b.Add(n, c);
  }
  b.num_rows = rows;
  return b;
}

TEST(Parquet, WrittenFilesReadBackExactlyWithEveryCodec) {
  const Block in = Sample(20000);
  for (const std::string codec : {"snappy", "zstd", "gzip", "none"}) {
    ParquetWriteOptions o;
    ASSERT_TRUE(parquet::CodecByName(codec, &o.codec));
    o.row_group_rows = 7000;  // three row groups, the last short
    o.page_bytes = 16 << 10;  // several pages per chunk
    std::string bytes;
    WriteParquet(in, o, &bytes);
    const std::string path = TempPath("rt-" + codec + ".parquet");
    WriteFile(path, bytes);
    const Result<ParquetFileInfo> read = ReadParquetInfo(path);
    ASSERT_TRUE(read.ok()) << read.status().message();
    const ParquetFileInfo& info = *read;
    EXPECT_EQ(info.row_group_rows, (std::vector<int64_t>{7000, 7000, 6000}));
    EXPECT_EQ(info.schema.names, in.names);
    EXPECT_EQ(info.schema.types, (std::vector<Type>{Type::kInt64, Type::kDouble, Type::kBool, Type::kString,
                                                    Type::kString, Type::kTimestamp, Type::kString,
                                                    Type::kInt64, Type::kDouble, Type::kList, Type::kList,
                                                    Type::kBinary}));
    Block out;
    const Status all = ReadAll(path, &out);
    ASSERT_TRUE(all.ok()) << codec << ": " << all.message();
    ASSERT_EQ(out.num_rows, in.num_rows);
    for (size_t c = 0; c < in.columns.size(); ++c) {
      for (int64_t r = 0; r < in.num_rows; ++r) {
        ASSERT_EQ(JsonValue(out.columns[c], r), JsonValue(in.columns[c], r)) << codec << " " << in.names[c] << " row " << r;
      }
    }
  }
}

TEST(Parquet, EmptyBlockWritesAValidFile) {
  Block in = Sample(0);
  std::string bytes;
  WriteParquet(in, {}, &bytes);
  const std::string path = TempPath("empty.parquet");
  WriteFile(path, bytes);
  const Result<ParquetFileInfo> info = ReadParquetInfo(path);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->num_rows, 0);
  EXPECT_EQ(info->schema.names.size(), 12u);
}

// What DuckDB itself reads from its files, against what we read.
void ExpectMatchesDuckDb(const Block& b, const std::vector<json>& expected, const std::string& file) {
  ASSERT_EQ(b.num_rows, static_cast<int64_t>(expected.size())) << file;
  const int id = b.Find("id");
  ASSERT_GE(id, 0);
  for (int64_t r = 0; r < b.num_rows; ++r) {
    const json& want = expected[static_cast<size_t>(b.columns[static_cast<size_t>(id)].i64[static_cast<size_t>(r)])];
    for (size_t c = 0; c < b.names.size(); ++c) {
      const json got = json::parse(JsonValue(b.columns[c], r));
      json w = want.at(b.names[c]);
      if (b.names[c] == "day") w = w.get<std::string>() + " 00:00:00";  // a DATE reads as midnight
      if (w.is_array() && got.is_array()) {
        ASSERT_EQ(got.dump(), w.dump()) << file << " row " << r << " " << b.names[c];
      } else if (w.is_number() && got.is_number()) {
        ASSERT_NEAR(got.get<double>(), w.get<double>(), 1e-9) << file << " row " << r << " " << b.names[c];
      } else {
        ASSERT_EQ(got, w) << file << " row " << r << " " << b.names[c];
      }
    }
  }
}

TEST(Parquet, ReadsFilesDuckDbWrote) {
  const std::string dir = STRATA_PARQUET_VECTORS;
  std::string text;
  ASSERT_TRUE(ReadHead(dir + "/duckdb_expected.jsonl.gz", 64 << 20, &text).ok());
  std::vector<json> expected;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) expected.push_back(json::parse(line));
  ASSERT_EQ(expected.size(), 5000u);
  for (const std::string variant : {"snappy", "zstd", "gzip", "uncompressed", "v2"}) {
    const std::string path = dir + "/duckdb_" + variant + ".parquet";
    const Result<ParquetFileInfo> read = ReadParquetInfo(path);
    ASSERT_TRUE(read.ok()) << read.status().message();
    const ParquetFileInfo& info = *read;
    EXPECT_GE(info.row_group_rows.size(), 2u) << variant;
    EXPECT_NE(info.created_by.find("DuckDB"), std::string::npos) << info.created_by;
    Block b;
    const Status all = ReadAll(path, &b);
    ASSERT_TRUE(all.ok()) << variant << ": " << all.message();
    EXPECT_EQ(b.Get("ts")->type, Type::kTimestamp);
    EXPECT_EQ(b.Get("day")->type, Type::kTimestamp);
    EXPECT_EQ(b.Get("price")->type, Type::kDouble);
    EXPECT_EQ(b.Get("tiny")->type, Type::kInt64);
    EXPECT_EQ(b.Get("nums")->type, Type::kList);
    EXPECT_EQ(b.Get("nums")->ElementType(), Type::kInt64);
    EXPECT_EQ(b.Get("tags")->ElementType(), Type::kString);
    ExpectMatchesDuckDb(b, expected, variant);
  }
}

TEST(Parquet, CorruptOrTruncatedFilesAreErrorsNotCrashes) {
  std::string bytes;
  ParquetWriteOptions o;
  o.row_group_rows = 1000;
  WriteParquet(Sample(3000), o, &bytes);
  const std::string path = TempPath("corrupt.parquet");
  Block b;
  WriteFile(path, bytes.substr(0, bytes.size() - 3));
  Status read = ReadAll(path, &b);
  EXPECT_EQ(read.code(), StatusCode::kDataLoss);
  EXPECT_NE(read.message().find("not a Parquet file"), std::string::npos) << read.message();
  WriteFile(path, "PAR1");
  EXPECT_FALSE(ReadAll(path, &b).ok());
  EXPECT_EQ(ReadAll(TempPath("no-such.parquet"), &b).code(), StatusCode::kNotFound);
  // Bytes flipped anywhere: every read either succeeds or says what is wrong.
  std::mt19937 rng(3);
  int failed = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string broken = bytes;
    for (int k = 0; k < 4; ++k) broken[rng() % broken.size()] = static_cast<char>(rng());
    WriteFile(path, broken);
    read = ReadAll(path, &b);
    if (!read.ok()) {
      ++failed;
      EXPECT_NE(read.message().find(path), std::string::npos) << read.message();
    }
  }
  EXPECT_GT(failed, 0);
}

TEST(Timestamps, ParseFormatAndParts) {
  int64_t us = 0;
  ASSERT_TRUE(ParseTimestamp("2024-03-10 08:00:37", &us));
  EXPECT_EQ(FormatTimestamp(us), "2024-03-10 08:00:37");
  ASSERT_TRUE(ParseTimestamp("2024-02-29T23:59:59.25Z", &us));
  EXPECT_EQ(FormatTimestamp(us), "2024-02-29 23:59:59.25");
  ASSERT_TRUE(ParseTimestamp("2024-03-10T10:00:00+02:00", &us));
  EXPECT_EQ(FormatTimestamp(us), "2024-03-10 08:00:00");
  ASSERT_TRUE(ParseTimestamp("1969-12-31 23:59:59.5", &us));
  EXPECT_EQ(us, -500000);
  EXPECT_EQ(FormatTimestamp(us), "1969-12-31 23:59:59.5");
  const DateParts p = PartsOf(us);
  EXPECT_EQ(p.year, 1969);
  EXPECT_EQ(p.hour, 23);
  ASSERT_TRUE(ParseTimestamp("2023-07-04", &us));
  EXPECT_EQ(PartsOf(us).day, 4);
  EXPECT_FALSE(ParseTimestamp("2023-02-30", &us));
  EXPECT_FALSE(ParseTimestamp("2023-07-04 25:00", &us));
  EXPECT_FALSE(ParseTimestamp("12345", &us));
  EXPECT_FALSE(ParseTimestamp("2023-07-04x", &us));
}

}  // namespace
}  // namespace strata::data
