// Objects through the shared-memory store: large values, spilling to disk,
// objects bigger than the store, and freeing when the last ref goes.
#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "strata/strata.h"

namespace {

double Checksum(const std::vector<double>& v) {
  double s = 0;
  for (size_t i = 0; i < v.size(); i += 4096) s += v[i];
  return s + static_cast<double>(v.size());
}
std::vector<double> MakeBlock(int64_t n, double fill) { return std::vector<double>(n, fill); }
// Reads its argument in place from shared memory.
double ViewSum(strata::ArrayView<double> v) {
  if (!v.is_zero_copy()) throw std::runtime_error("argument was copied");
  double s = 0;
  for (double x : v) s += x;
  return s;
}
STRATA_REMOTE(Checksum, MakeBlock, ViewSum);

nlohmann::json Status() { return nlohmann::json::parse(strata::ClusterStatus(true)); }
nlohmann::json Store() { return Status()["nodes"][0]["object_store"]; }

TEST(Objects, OneGibObjectThroughTheStore) {
  strata::Init();
  const size_t n = (size_t{1} << 30) / sizeof(double);
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<double>(i % 1000);
  const double expect = Checksum(v);
  auto ref = strata::Put(v);
  // Read in a worker (mapped, not copied through a socket) and back here.
  EXPECT_DOUBLE_EQ(strata::Get(strata::Task(Checksum).Remote(ref)), expect);
  std::vector<double> back = strata::Get(ref);
  ASSERT_EQ(back.size(), n);
  EXPECT_EQ(back[123456789], static_cast<double>(123456789 % 1000));
  EXPECT_GE(Store()["used_bytes"].get<uint64_t>(), uint64_t{1} << 30);
  strata::Shutdown();
}

TEST(Objects, SpillsWhenDataIsEightTimesTheStore) {
  strata::InitOptions o;
  o.object_store_memory = 64 << 20;
  strata::Init(o);
  const int64_t per_block = (32 << 20) / sizeof(double);  // 32 MiB each, 16 blocks = 512 MiB
  std::vector<strata::ObjectRef<std::vector<double>>> blocks;
  for (int i = 0; i < 8; ++i) blocks.push_back(strata::Put(std::vector<double>(per_block, i)));
  for (int i = 8; i < 16; ++i) blocks.push_back(strata::Task(MakeBlock).Remote(per_block, i));
  for (int i = 0; i < 16; ++i) {
    std::vector<double> b = strata::Get(blocks[i]);
    ASSERT_EQ(b.size(), static_cast<size_t>(per_block)) << i;
    ASSERT_EQ(b.front(), i);
    ASSERT_EQ(b.back(), i);
  }
  // Spills are copied in the background: give the last ones a moment.
  nlohmann::json store = Store();
  for (int i = 0; i < 500 && store["used_bytes"].get<uint64_t>() > (uint64_t{64} << 20); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    store = Store();
  }
  EXPECT_LE(store["used_bytes"].get<uint64_t>(), uint64_t{64} << 20) << store.dump();
  EXPECT_GT(store["spill_count"].get<uint64_t>(), 0u) << store.dump();
  EXPECT_GT(store["spilled_bytes"].get<uint64_t>(), 0u) << store.dump();
  // Spilled objects still work as task arguments.
  EXPECT_DOUBLE_EQ(strata::Get(strata::Task(Checksum).Remote(blocks[0])),
                   Checksum(std::vector<double>(per_block, 0)));
  strata::Shutdown();
}

TEST(Objects, ObjectLargerThanTheWholeStoreStillWorks) {
  strata::InitOptions o;
  o.object_store_memory = 16 << 20;
  strata::Init(o);
  const int64_t n = (48 << 20) / sizeof(double);
  auto ref = strata::Put(std::vector<double>(n, 2.0));
  auto made = strata::Task(MakeBlock).Remote(n, 3.0);
  EXPECT_EQ(strata::Get(ref)[n - 1], 2.0);
  EXPECT_EQ(strata::Get(made)[n - 1], 3.0);
  EXPECT_DOUBLE_EQ(strata::Get(strata::Task(Checksum).Remote(made)),
                   Checksum(std::vector<double>(n, 3.0)));
  strata::Shutdown();
}

TEST(Objects, ArrayViewReadsInPlaceWithoutCopying) {
  strata::Init();
  const int64_t n = (16 << 20) / sizeof(double);
  auto ref = strata::Put(std::vector<double>(n, 0.5));
  EXPECT_DOUBLE_EQ(strata::Get(strata::Task(ViewSum).Remote(ref)), 0.5 * n);
  strata::ObjectRef<strata::ArrayView<double>> as_view(ref.id());
  strata::ArrayView<double> view = strata::Get(as_view);
  EXPECT_TRUE(view.is_zero_copy());
  ASSERT_EQ(view.size(), static_cast<size_t>(n));
  EXPECT_EQ(view[n - 1], 0.5);
  // A task result read as a view; small values are copies but still work.
  strata::ObjectRef<strata::ArrayView<double>> made(strata::Task(MakeBlock).Remote(n, 2.0).id());
  EXPECT_EQ(strata::Get(made)[0], 2.0);
  strata::ObjectRef<strata::ArrayView<double>> small(strata::Put(std::vector<double>{1, 2}).id());
  EXPECT_EQ(strata::Get(small).ToVector(), (std::vector<double>{1, 2}));
  strata::Shutdown();
}

TEST(Objects, LastReferenceFreesTheObject) {
  strata::Init();
  const std::string shm_before = Status()["session_dir"];
  {
    std::vector<strata::ObjectRef<std::vector<double>>> refs;
    for (int i = 0; i < 20; ++i) refs.push_back(strata::Put(std::vector<double>(1 << 18, i)));
    EXPECT_GE(Store()["num_objects"].get<uint64_t>(), 20u);
    EXPECT_GE(Store()["used_bytes"].get<uint64_t>(), 20u * (2u << 20));
  }
  // Releases travel asynchronously: poll briefly.
  uint64_t left = 0;
  for (int i = 0; i < 200; ++i) {
    left = Store()["used_bytes"].get<uint64_t>();
    if (left == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(left, 0u);
  EXPECT_EQ(Store()["num_objects"].get<uint64_t>(), 0u);
  strata::Shutdown();
}

}  // namespace
