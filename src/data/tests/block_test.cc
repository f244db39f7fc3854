#include "data/block.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace strata::data {
namespace {

// Every column type, with nulls in some, a text column with empty and long
// values, and a list column (compacted by Gather).
Block SampleBlock(size_t rows, std::mt19937* random) {
  Block b;
  Column ints = Column::OfType(Type::kInt64), doubles = Column::OfType(Type::kDouble);
  Column flags = Column::OfType(Type::kBool), texts = Column::OfType(Type::kString);
  Column maybe_texts = Column::OfType(Type::kString), lists = Column::ListOf(Type::kInt64);
  for (size_t i = 0; i < rows; ++i) {
    ints.AppendInt(static_cast<int64_t>(i));
    doubles.AppendDouble(static_cast<double>(i) / 4);
    flags.AppendBool(i % 3 == 0);
    texts.AppendString(std::string((*random)() % 40, static_cast<char>('a' + i % 26)));
    if (i % 5 == 2) {
      maybe_texts.AppendNull();
    } else {
      maybe_texts.AppendString("row " + std::to_string(i));
    }
    for (size_t k = 0; k < i % 4; ++k) lists.Values().AppendInt(static_cast<int64_t>(i * 10 + k));
    lists.EndList();
  }
  b.Add("i", std::move(ints));
  b.Add("d", std::move(doubles));
  b.Add("f", std::move(flags));
  b.Add("text", std::move(texts));
  b.Add("maybe", std::move(maybe_texts));
  b.Add("list", std::move(lists));
  b.num_rows = static_cast<int64_t>(rows);
  return b;
}

void ExpectSameRows(const Block& a, const Block& b) {
  ASSERT_EQ(a.num_rows, b.num_rows);
  ASSERT_EQ(a.names, b.names);
  for (size_t c = 0; c < a.columns.size(); ++c) {
    EXPECT_EQ(a.columns[c].length, a.num_rows) << a.names[c];
    for (int64_t i = 0; i < a.num_rows; ++i) {
      EXPECT_EQ(JsonValue(a.columns[c], i), JsonValue(b.columns[c], i)) << a.names[c] << " row " << i;
    }
  }
}

TEST(BlockKeepTest, MatchesFilterForEveryKindOfMask) {
  std::mt19937 random(3);
  for (const int keep_percent : {0, 10, 50, 90, 100}) {
    const Block original = SampleBlock(200, &random);
    Column mask = Column::OfType(Type::kBool);
    for (int64_t i = 0; i < original.num_rows; ++i) {
      if (i % 17 == 5) {
        mask.AppendNull();  // null drops the row
      } else {
        mask.AppendBool(static_cast<int>(random() % 100) < keep_percent);
      }
    }
    const Block filtered = original.Filter(mask);
    Block kept = original;
    kept.Keep(mask);
    ExpectSameRows(kept, filtered);
    if (keep_percent == 0) EXPECT_EQ(kept.num_rows, 0);
  }
}

TEST(BlockKeepTest, KeepsTextBytesInOrderAcrossRunsAndGaps) {
  Block b;
  Column texts = Column::OfType(Type::kString);
  for (const char* t : {"alpha", "", "beta", "gamma", "delta", "epsilon"}) texts.AppendString(t);
  b.Add("text", std::move(texts));
  b.num_rows = 6;
  Column mask = Column::OfType(Type::kBool);
  for (const bool k : {false, true, true, false, true, true}) mask.AppendBool(k);
  b.Keep(mask);
  ASSERT_EQ(b.num_rows, 4);
  const Column& t = b.columns[0];
  EXPECT_EQ(t.Str(0), "");
  EXPECT_EQ(t.Str(1), "beta");
  EXPECT_EQ(t.Str(2), "delta");
  EXPECT_EQ(t.Str(3), "epsilon");
  EXPECT_EQ(t.chars, "betadeltaepsilon");
  EXPECT_EQ(t.offsets.size(), 5u);
}

TEST(SliceRowsTest, SlicesJoinBackIntoTheBlock) {
  std::mt19937 random(9);
  const Block original = SampleBlock(500, &random);
  for (const size_t bytes : {size_t{1} << 30, size_t{4096}, size_t{700}, size_t{1}}) {
    Block copy = original;
    std::vector<Block> slices = SliceRows(std::move(copy), bytes);
    if (bytes == size_t{1} << 30) EXPECT_EQ(slices.size(), 1u);  // small: the block itself
    if (bytes == 4096) EXPECT_GT(slices.size(), 2u);
    int64_t rows = 0;
    for (const Block& s : slices) rows += s.num_rows;
    EXPECT_EQ(rows, original.num_rows);
    Block joined = std::move(slices[0]);
    for (size_t k = 1; k < slices.size(); ++k) AppendSlice(&joined, slices[k]);
    ExpectSameRows(joined, original);
  }
}

TEST(SliceRowsTest, AColumnOnlyALaterSliceHasIsNullBefore) {
  Block first, second;
  Column a = Column::OfType(Type::kInt64), b = Column::OfType(Type::kInt64), extra = Column::OfType(Type::kString);
  a.AppendInt(1);
  a.AppendInt(2);
  b.AppendInt(3);
  extra.AppendString("only here");
  first.Add("n", std::move(a));
  first.num_rows = 2;
  second.Add("n", std::move(b));
  second.Add("note", std::move(extra));
  second.num_rows = 1;
  AppendSlice(&first, second);
  ASSERT_EQ(first.num_rows, 3);
  const Column* note = first.Get("note");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->type, Type::kString);
  EXPECT_TRUE(note->IsNull(0));
  EXPECT_TRUE(note->IsNull(1));
  EXPECT_EQ(note->Str(2), "only here");
}

}  // namespace
}  // namespace strata::data
