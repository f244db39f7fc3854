// Objects through the shared-memory store: large values, spilling to disk,
// objects bigger than the store, and freeing when the last ref goes.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
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

// A full spill disk: the store does not keep taking objects past its
// capacity; what does not fit is refused with ObjectStoreFullError, and the
// status says spilling fails.
TEST(Objects, FullSpillDiskRefusesObjectsWithAClearError) {
  const std::string spill = std::filesystem::temp_directory_path() / ("strata-full-spill-" + std::to_string(getpid()));
  std::filesystem::create_directories(spill);
  if (std::system(("mount -t tmpfs -o size=8m tmpfs " + spill + " 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): no full disk to try";
  }
  strata::InitOptions o;
  o.object_store_memory = 16 << 20;
  o.spill_dir = spill;
  strata::Init(o);
  const int64_t per_block = (6 << 20) / sizeof(double);  // 6 MiB each, 16 of them: 96 MiB
  std::vector<strata::ObjectRef<std::vector<double>>> blocks;
  for (int i = 0; i < 16; ++i) {
    blocks.push_back(strata::Put(std::vector<double>(per_block, i)));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let failed spills be noticed
  }
  int refused = 0, read = 0;
  for (int i = 0; i < 16; ++i) {
    try {
      std::vector<double> b = strata::Get(blocks[i]);
      ASSERT_EQ(b.size(), static_cast<size_t>(per_block));
      EXPECT_EQ(b.back(), i) << "a block read back is the block written";
      ++read;
    } catch (const strata::TaskError& e) {
      EXPECT_NE(std::string(e.what()).find("ObjectStoreFullError"), std::string::npos) << e.what();
      ++refused;
    }
  }
  EXPECT_GT(refused, 0) << "96 MiB were taken by a 16 MiB store with an 8 MiB spill disk";
  EXPECT_GT(read, 0);
  const nlohmann::json store = Store();
  EXPECT_FALSE(store["spill_error"].get<std::string>().empty()) << store.dump();
  EXPECT_GT(store["refused_objects"].get<uint64_t>(), 0u) << store.dump();
  EXPECT_LT(store["used_bytes"].get<uint64_t>(), uint64_t{48} << 20) << store.dump();
  EXPECT_NE(strata::ClusterStatus(false).find("SPILL FAILING"), std::string::npos);
  strata::Shutdown();
  std::system(("umount " + spill).c_str());
  std::filesystem::remove_all(spill);
}

}  // namespace
