// Values through the codec the API uses, without a cluster.
#include <map>
#include <optional>
#include <tuple>

#include <gtest/gtest.h>

#include "strata/strata.h"

namespace {

struct Trip {
  int64_t id = 0;
  std::string zone;
  std::vector<double> fares;
  std::optional<int> passengers;
  std::map<std::string, int> tags;
  STRATA_STRUCT(id, zone, fares, passengers, tags);
};

template <class T>
T RoundTrip(const T& v) {
  auto e = strata::internal::EncodeObject(v, strata::ObjectId::Generate());
  EXPECT_FALSE(e.in_store);
  return strata::internal::DecodeValue<T>(e.data.data(), e.data.size(), e.id);
}

TEST(Serialization, UserStructsAndStandardTypes) {
  Trip t{7, "Queens", {1.5, 2.5}, std::nullopt, {{"a", 1}}};
  Trip back = RoundTrip(t);
  EXPECT_EQ(back.id, 7);
  EXPECT_EQ(back.zone, "Queens");
  EXPECT_EQ(back.fares, t.fares);
  EXPECT_FALSE(back.passengers.has_value());
  EXPECT_EQ(back.tags.at("a"), 1);
  auto tup = RoundTrip(std::make_tuple(1, std::string("x"), 2.5));
  EXPECT_EQ(std::get<1>(tup), "x");
}

TEST(Serialization, NumericVectorsAreRawBytes) {
  std::vector<double> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i) * 0.5;
  auto e = strata::internal::EncodeObject(v, strata::ObjectId::Generate());
  // A bin header (3 bytes for bin16) + the doubles, not 9 bytes per element.
  EXPECT_EQ(e.data.size(), 3 + v.size() * sizeof(double));
  EXPECT_EQ(RoundTrip(v), v);
  std::vector<int32_t> ints = {1, -2, 3};
  EXPECT_EQ(RoundTrip(ints), ints);
}

TEST(Serialization, WrongTypeIsAClearError) {
  auto e = strata::internal::EncodeObject(std::string("text"), strata::ObjectId::Generate());
  try {
    strata::internal::DecodeValue<std::vector<double>>(e.data.data(), e.data.size(), e.id);
    FAIL() << "decoding a string as vector<double> should throw";
  } catch (const strata::StrataError& err) {
    EXPECT_NE(std::string(err.what()).find("cannot decode object"), std::string::npos);
  }
}

TEST(Serialization, RemoteNamesSplitLikeTheSource) {
  auto names = strata::internal::SplitRemoteNames("Counter::Create, &Counter::Add,Foo<int, int>");
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0], "Counter::Create");
  EXPECT_EQ(names[1], "Counter::Add");
  EXPECT_EQ(names[2], "Foo<int, int>");
}

}  // namespace
