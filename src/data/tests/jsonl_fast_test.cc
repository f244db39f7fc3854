// The JSON Lines reader's fast path against nlohmann::json: every record it
// takes, nlohmann must take too (an object, each key once) and give the same
// value in every column; records it refuses go to the general reader, which
// must then be the one judging them. Random records from pieces dense in
// what JSON forbids or spells several ways: escapes, surrogates, broken
// UTF-8, controls, numbers at the edges of int64 and double, duplicate and
// unknown keys, nesting.
#include "data/format/jsonl_fast.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "data/format/jsonl.h"
#include "support/test_random.h"

namespace strata::data {
namespace {

CsvSchema Schema() {
  CsvSchema s;
  s.names = {"text", "n", "x", "ok"};
  s.types = {Type::kString, Type::kInt64, Type::kDouble, Type::kBool};
  return s;
}

Block EmptyBlock(const CsvSchema& s) {
  Block b;
  for (size_t i = 0; i < s.names.size(); ++i) b.Add(s.names[i], Column::OfType(s.types[i]));
  return b;
}

// The fast path took `raw` into row 0 of `b`: nlohmann agrees cell by cell.
void ExpectNlohmannAgrees(std::string_view raw, const Block& b, const CsvSchema& s) {
  const auto j = nlohmann::ordered_json::parse(raw, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << raw;
  ASSERT_TRUE(j.is_object()) << raw;
  // A key twice: nlohmann keeps one, the general reader refuses the record.
  size_t keys = 0;
  for (const char* k : {"\"text\"", "\"n\"", "\"x\"", "\"ok\""}) {
    for (size_t at = raw.find(k); at != std::string_view::npos; at = raw.find(k, at + 1)) ++keys;
  }
  EXPECT_EQ(j.size(), keys) << raw;
  for (size_t c = 0; c < s.names.size(); ++c) {
    const Column& col = b.columns[c];
    auto it = j.find(s.names[c]);
    if (it == j.end() || it->is_null()) {
      EXPECT_TRUE(col.IsNull(0)) << raw;
      continue;
    }
    ASSERT_FALSE(col.IsNull(0)) << raw;
    switch (s.types[c]) {
      case Type::kString: EXPECT_EQ(col.Str(0), it->get<std::string>()) << raw; break;
      case Type::kInt64:
        ASSERT_TRUE(it->is_number_integer()) << raw;
        EXPECT_EQ(col.i64[0], it->get<int64_t>()) << raw;
        break;
      case Type::kDouble:
        ASSERT_TRUE(it->is_number()) << raw;
        EXPECT_EQ(col.f64[0], it->get<double>()) << raw;
        break;
      case Type::kBool: EXPECT_EQ(col.b[0] != 0, it->get<bool>()) << raw; break;
      default: FAIL();
    }
  }
}

TEST(JsonlFastPath, TakesOnlyWhatNlohmannReadsTheSame) {
  static const char* const kText[] = {
      "a", " ", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\u0041", "\\u00e9", "\\u0000",
      "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\ud83dx", "\\x", "\\u12", "\xC3", "\xED\xA0\x80", "\xC0\xAF",
      "\xF4\x90\x80\x80", "\xFF", "\x80", "\x01", "\t", "\"", "\\"};
  static const char* const kNumbers[] = {
      "0", "-0", "7", "-12", "01", "1.5", "-0.0", "1e3", "1E-2", "2.", ".5", "-", "9223372036854775807",
      "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e400",
      "4.9e-324", "0.1e1", "+1", "1e", "true", "null", "\"3\""};
  static const char* const kBools[] = {"true", "false", "null", "tru", "1", "\"true\"", "True"};
  testing_support::TestRandom next(7);
  auto pick = [&](const auto& list) { return std::string(list[next() % std::size(list)]); };
  const CsvSchema s = Schema();
  size_t taken = 0, refused = 0;
  for (int n = 0; n < 20000; ++n) {
    std::vector<std::string> fields;
    const std::string text = "\"" + next.Pieces(kText, 6) + "\"";
    if (next() % 4) fields.push_back("\"text\":" + text);
    if (next() % 3) fields.push_back("\"n\": " + pick(kNumbers));
    if (next() % 3) fields.push_back("\"x\" :" + pick(kNumbers));
    if (next() % 3) fields.push_back("\"ok\":" + pick(kBools));
    switch (next() % 12) {  // now and then something the fast path must refuse or get right
      case 0: fields.push_back("\"n\":1"); break;                // a key twice
      case 1: fields.push_back("\"other\":1"); break;            // not in the schema
      case 2: fields.push_back("\"text\":{\"a\":[1]}"); break;   // nesting
      case 3: fields.push_back("\"te\\u0078t\":\"a\""); break;   // an escaped key
      default: break;
    }
    for (size_t k = fields.size(); k > 1; --k) std::swap(fields[k - 1], fields[next() % k]);
    std::string raw = next() % 5 == 0 ? " {" : "{";
    for (size_t k = 0; k < fields.size(); ++k) raw += (k ? "," : "") + fields[k];
    raw += next() % 7 == 0 ? "} x" : next() % 5 == 0 ? "}\t " : "}";
    Block b = EmptyBlock(s);
    if (ReadFlatJsonRecord(raw, s, &b)) {
      ++taken;
      ASSERT_EQ(b.num_rows, 1);
      ExpectNlohmannAgrees(raw, b, s);
      if (HasFailure()) return;
    } else {
      ++refused;
      EXPECT_EQ(b.num_rows, 0);
      for (const Column& c : b.columns) EXPECT_EQ(c.length, 0) << raw;  // untouched
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(taken, 1000u);  // both ways are exercised
  EXPECT_GT(refused, 2000u);
}

TEST(JsonlFastPath, ReaderGivesTheSameRowsAndBadRecordsEitherWay) {
  // A file where every other record needs the general reader: rows stay in
  // order and bad records keep their line numbers.
  const CsvSchema s = Schema();
  const std::string text =
      "{\"text\":\"a\",\"n\":1}\n"
      "{\"text\":\"b\",\"n\":1.5}\n"        // not an integer: bad
      "{\"text\":\"c\\u00e9\",\"x\":2}\n"
      "{\"text\":\"d\",\"text\":\"e\"}\n"   // a key twice: bad
      "{\"text\":\"\xFF\"}\n"               // not UTF-8: bad
      "\n"
      "{\"ok\":true,\"x\":1e2}\n";
  Block b;
  std::vector<BadRecord> bad;
  ParseJsonl(text, "f.jsonl", 1, s, &b, &bad);
  ASSERT_EQ(b.num_rows, 3);
  EXPECT_EQ(b.columns[0].Str(0), "a");
  EXPECT_EQ(b.columns[0].Str(1), "c\xC3\xA9");
  EXPECT_TRUE(b.columns[0].IsNull(2));
  EXPECT_EQ(b.columns[2].f64[1], 2.0);
  EXPECT_EQ(b.columns[2].f64[2], 100.0);
  ASSERT_EQ(bad.size(), 3u);
  EXPECT_EQ(bad[0].line, 2);
  EXPECT_EQ(bad[1].line, 4);
  EXPECT_EQ(bad[1].reason, "a key appears twice in the object");
  EXPECT_EQ(bad[2].line, 5);
  EXPECT_EQ(bad[2].reason, "not valid JSON");
}

}  // namespace
}  // namespace strata::data
