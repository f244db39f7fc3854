#include "common/byte_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace strata {
namespace {

// Mask, by whatever path this machine takes, against the set's own table,
// byte by byte: random texts of every length up to 150, from every offset
// (the window full, cut short by the end of a long text, or of a short one).
void ExpectMasksMatch(const ByteSet& set, std::mt19937* random) {
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 600; ++round) {
    std::string text(static_cast<size_t>(round % 151), '\0');
    for (char& c : text) c = static_cast<char>(byte(*random));
    for (size_t from = 0; from <= text.size(); ++from) {
      uint64_t expected = 0;
      for (size_t k = 0; k < 64 && from + k < text.size(); ++k) {
        expected |= uint64_t{set.Has(static_cast<unsigned char>(text[from + k]))} << k;
      }
      ASSERT_EQ(set.Mask(text, from), expected) << "length " << text.size() << " from " << from;
      ASSERT_EQ(set.MaskByTable(text.data() + from, std::min<size_t>(64, text.size() - from)), expected);
      size_t first = from;
      while (first < text.size() && !set.Has(static_cast<unsigned char>(text[first]))) ++first;
      ASSERT_EQ(set.Find(text, from), first) << "length " << text.size() << " from " << from;
    }
  }
}

TEST(ByteSetTest, MasksTheTokenizersStops) {
  constexpr ByteSet stops("\t\n\v\f\r\x1C\x1D\x1E\x1F \xE2.:,-';@#$%&?!*[]()<>{}");
  static_assert(stops.ByNibbles());
  EXPECT_TRUE(stops.Has(' '));
  EXPECT_TRUE(stops.Has(0xE2));
  EXPECT_FALSE(stops.Has('a'));
  EXPECT_FALSE(stops.Has('"'));  // same high nibble as ' ', another low one
  std::mt19937 random(7);
  ExpectMasksMatch(stops, &random);
  // Members at both ends of a full window.
  std::string text(64, 'x');
  text[0] = ' ';
  text[63] = '}';
  EXPECT_EQ(stops.Mask(text, 0), uint64_t{1} | uint64_t{1} << 63);
  EXPECT_EQ(stops.Mask(text, 63), uint64_t{1});  // the last byte alone
  EXPECT_EQ(stops.Mask(text, 64), uint64_t{0});  // past the end
  // Bytes past the text's end are not read into the mask.
  EXPECT_EQ(stops.Mask(std::string_view(text).substr(0, 63), 0), uint64_t{1});
}

TEST(ByteSetTest, SetsBeyondEightNibbleGroupsUseTheTable) {
  // Nine high nibbles with nine different low-nibble sets: no exact nibble
  // classification, so the table answers.
  const ByteSet wide = ByteSet::Of([](unsigned char b) { return (b & 15) == (b >> 4) || b == 0x81; });
  EXPECT_FALSE(wide.ByNibbles());
  std::mt19937 random(11);
  ExpectMasksMatch(wide, &random);
}

TEST(ByteSetTest, EveryByteAndNoByte) {
  const ByteSet all = ByteSet::Of([](unsigned char) { return true; });
  const ByteSet none{std::string_view()};
  const std::string text(64, '\0');
  EXPECT_EQ(all.Mask(text, 0), ~uint64_t{0});
  EXPECT_EQ(all.Mask(std::string_view(text).substr(0, 5), 0), uint64_t{0x1F});
  EXPECT_EQ(all.Mask(text, 59), uint64_t{0x1F});
  EXPECT_EQ(none.Mask(text, 0), uint64_t{0});
}

}  // namespace
}  // namespace strata
