#include "common/byte_set.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace strata {
namespace {

// Mask, by whatever path this machine takes, against the set's own table,
// byte by byte, for every length up to 64 and random bytes.
void ExpectMasksMatch(const ByteSet& set, std::mt19937* random) {
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 2000; ++round) {
    std::string text(64, '\0');
    for (char& c : text) c = static_cast<char>(byte(*random));
    const size_t n = static_cast<size_t>(round % 65);
    uint64_t expected = 0;
    for (size_t k = 0; k < n; ++k) expected |= uint64_t{set.Has(static_cast<unsigned char>(text[k]))} << k;
    ASSERT_EQ(set.Mask(text.data(), n), expected) << "length " << n;
    ASSERT_EQ(set.MaskByTable(text.data(), n), expected) << "length " << n;
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
  EXPECT_EQ(stops.Mask(text.data(), 64), uint64_t{1} | uint64_t{1} << 63);
  // Bytes past n are not read into the mask.
  EXPECT_EQ(stops.Mask(text.data(), 63), uint64_t{1});
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
  EXPECT_EQ(all.Mask(text.data(), 64), ~uint64_t{0});
  EXPECT_EQ(all.Mask(text.data(), 5), uint64_t{0x1F});
  EXPECT_EQ(none.Mask(text.data(), 64), uint64_t{0});
}

}  // namespace
}  // namespace strata
