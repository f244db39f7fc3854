#include "node/object_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/store_files.h"

namespace strata::node {
namespace {

// Two client connections holding objects.
constexpr rpc::ConnId kClient{1};
constexpr rpc::ConnId kOtherClient{2};

namespace fs = std::filesystem;

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata_store_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    StoreOptions o;
    o.shm_prefix = "/dev/shm/strata_test_" + std::to_string(getpid()) + "_";
    o.spill_dir = dir_.string();
    o.pool_dir = o.shm_prefix + "pool";
    o.capacity_bytes = capacity_;
    store_ = std::make_unique<ObjectStore>(o);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Writes a shared-memory object of `size` bytes of `fill` and seals it.
  ObjectId MakeShm(rpc::ConnId holder, size_t size, char fill) {
    const ObjectId id = ObjectId::Generate();
    auto w = CreateObjectFile(store_->ShmPath(id), size);
    EXPECT_TRUE(w.ok()) << w.status().message();
    std::memset((*w)->data(), fill, size);
    (*w)->Finish();
    store_->Expect(id);
    store_->AddHolder(holder, id, 1);
    rpc::ObjectInfo info;
    info.id = id;
    info.state = rpc::ObjectState::kShm;
    info.size = size;
    EXPECT_TRUE(store_->Seal(info));
    return id;
  }

  uint64_t capacity_ = 2500;
  fs::path dir_;
  std::unique_ptr<ObjectStore> store_;
};

class PoolTest : public ObjectStoreTest {
 protected:
  void SetUp() override {
    capacity_ = 8 << 20;
    ObjectStoreTest::SetUp();
  }
};

TEST_F(PoolTest, FreedLargeFileIsReusedByTheNextWriter) {
  const uint64_t size = 2 << 20;
  const ObjectId a = MakeShm(kClient, size, 'a');
  store_->AddHolder(kClient, a, -1);  // freed: its file goes to the pool
  EXPECT_EQ(store_->Stats().pooled_bytes, size + internal::kObjectFilePayloadOffset);
  EXPECT_EQ(store_->Stats().used_bytes, 0u);

  const ObjectId b = ObjectId::Generate();
  std::string claimed;
  auto w = ClaimPooledFile(store_->options().pool_dir, store_->ShmPath(b), size, &claimed);
  ASSERT_TRUE(w);
  EXPECT_FALSE(claimed.empty());
  std::memset(w->data(), 'b', size);
  w->Finish();
  EXPECT_EQ(fs::file_size(store_->ShmPath(b)), size);
  // A second claim finds nothing: the file left the pool atomically.
  std::string again;
  EXPECT_FALSE(ClaimPooledFile(store_->options().pool_dir, "/dev/shm/strata_unused", size, &again));

  store_->Expect(b);
  store_->AddHolder(kClient, b, 1);
  rpc::ObjectInfo info;
  info.id = b;
  info.state = rpc::ObjectState::kShm;
  info.size = size;
  info.recycled = claimed;
  ASSERT_TRUE(store_->Seal(info));
  EXPECT_EQ(store_->Stats().pooled_bytes, 0u);
  EXPECT_EQ(store_->Stats().used_bytes, size);
}

TEST_F(PoolTest, PoolIsGivenUpBeforeAnythingSpills) {
  const ObjectId a = MakeShm(kClient, 3 << 20, 'a');
  store_->AddHolder(kClient, a, -1);
  ASSERT_GT(store_->Stats().pooled_bytes, 0u);
  MakeShm(kClient, 3 << 20, 'b');
  MakeShm(kClient, 3 << 20, 'c');  // 6 MiB live + 3 MiB pooled > 8 MiB: the pool goes
  EXPECT_EQ(store_->Stats().pooled_bytes, 0u);
  EXPECT_EQ(store_->Stats().spill_count, 0u);
}

TEST_F(PoolTest, SmallFilesAreDeletedNotPooled) {
  const ObjectId a = MakeShm(kClient, 1000, 'a');
  store_->AddHolder(kClient, a, -1);
  EXPECT_EQ(store_->Stats().pooled_bytes, 0u);
  EXPECT_FALSE(fs::exists(store_->ShmPath(a)));
}

TEST_F(ObjectStoreTest, LeastRecentlyUsedObjectSpillsWhenFull) {
  const ObjectId a = MakeShm(kClient, 1000, 'a');
  const ObjectId b = MakeShm(kClient, 1000, 'b');
  store_->ReaderInfo(*store_->Find(a));  // a is now more recent than b
  const ObjectId c = MakeShm(kClient, 1000, 'c');
  store_->WaitForSpills();  // the copy runs on the spiller's thread
  EXPECT_EQ(store_->Find(b)->info.state, rpc::ObjectState::kSpilled);
  EXPECT_EQ(store_->Find(a)->info.state, rpc::ObjectState::kShm);
  EXPECT_EQ(store_->Find(c)->info.state, rpc::ObjectState::kShm);
  EXPECT_FALSE(fs::exists(store_->ShmPath(b)));
  internal::ObjectBytes bytes;
  const Status mapped = MapObjectFile(store_->Find(b)->info.path, &bytes);
  ASSERT_TRUE(mapped.ok()) << mapped.message();
  ASSERT_EQ(bytes.size, 1000u);
  EXPECT_EQ(bytes.data[0], 'b');
  EXPECT_EQ(bytes.data[999], 'b');
  rpc::StoreStats s = store_->Stats();
  EXPECT_EQ(s.used_bytes, 2000u);
  EXPECT_EQ(s.spilled_bytes, 1000u);
  EXPECT_EQ(s.spill_count, 1u);
}

TEST_F(ObjectStoreTest, ObjectFreedWhileSpillingLeavesNothingBehind) {
  const ObjectId a = MakeShm(kClient, 1000, 'a');
  MakeShm(kClient, 1000, 'b');
  MakeShm(kClient, 1000, 'c');     // over capacity: a starts spilling in the background
  store_->AddHolder(kClient, a, -1);  // and is freed before the copy finishes
  store_->WaitForSpills();
  EXPECT_EQ(store_->Find(a), nullptr);
  EXPECT_FALSE(fs::exists(store_->SpillPath(a)));
  EXPECT_FALSE(fs::exists(store_->ShmPath(a)));
  rpc::StoreStats s = store_->Stats();
  EXPECT_EQ(s.used_bytes, 2000u);
  EXPECT_EQ(s.spilled_bytes, 0u);
  // Accounting is intact: the next object over capacity spills as usual.
  MakeShm(kClient, 1000, 'd');
  store_->WaitForSpills();
  EXPECT_EQ(store_->Stats().spill_count, 1u);
  EXPECT_EQ(store_->Stats().used_bytes, 2000u);
}

TEST_F(ObjectStoreTest, LastReferenceFreesObjectAndFile) {
  const ObjectId a = MakeShm(kClient, 100, 'a');
  store_->AddHolder(kOtherClient, a, 1);
  store_->AddHolder(kClient, a, -1);
  EXPECT_NE(store_->Find(a), nullptr);
  store_->DropConnection(kOtherClient);  // the last holder's process went away
  EXPECT_EQ(store_->Find(a), nullptr);
  EXPECT_FALSE(fs::exists(store_->ShmPath(a)));
  EXPECT_EQ(store_->Stats().used_bytes, 0u);
}

TEST_F(ObjectStoreTest, AConnectionCannotReleaseWhatItDoesNotHold) {
  const ObjectId a = MakeShm(kClient, 100, 'a');
  store_->AddHolder(kOtherClient, a, -5);  // connection 2 holds nothing
  store_->AddHolder(kClient, a, -3);  // connection 1 holds one
  EXPECT_EQ(store_->Find(a), nullptr);
  const ObjectId b = MakeShm(kClient, 100, 'b');
  store_->AddHolder(kOtherClient, b, -5);
  EXPECT_NE(store_->Find(b), nullptr);
  EXPECT_EQ(store_->Find(b)->holders, 1);
}

TEST_F(ObjectStoreTest, PinnedObjectOutlivesItsHolders) {
  const ObjectId a = MakeShm(kClient, 100, 'a');
  store_->Pin(a);  // a queued task takes it as an argument
  store_->AddHolder(kClient, a, -1);
  EXPECT_NE(store_->Find(a), nullptr);
  store_->Unpin(a);
  EXPECT_EQ(store_->Find(a), nullptr);
}

TEST_F(ObjectStoreTest, IncomingObjectsAreCheckedAgainstTheirFiles) {
  Status valid;
  rpc::ObjectInfo info;
  info.id = ObjectId::Generate();
  info.state = rpc::ObjectState::kInline;
  info.data = "abc";
  info.size = 3;
  valid = store_->ValidateIncoming(info);
  EXPECT_TRUE(valid.ok()) << valid.message();
  info.size = 1ull << 62;
  valid = store_->ValidateIncoming(info);
  EXPECT_EQ(valid.code(), StatusCode::kDataLoss);
  EXPECT_NE(valid.message().find("carries 3"), std::string::npos) << valid.message();

  info.state = rpc::ObjectState::kShm;
  info.size = 100;
  valid = store_->ValidateIncoming(info);
  EXPECT_EQ(valid.code(), StatusCode::kDataLoss);
  EXPECT_NE(valid.message().find("does not exist"), std::string::npos) << valid.message();
  auto w = CreateObjectFile(store_->ShmPath(info.id), 100 + internal::kObjectFilePayloadOffset);
  ASSERT_TRUE(w.ok()) << w.status().message();
  (*w)->Finish();
  valid = store_->ValidateIncoming(info);
  EXPECT_TRUE(valid.ok()) << valid.message();
  info.size = 5000;
  valid = store_->ValidateIncoming(info);
  EXPECT_EQ(valid.code(), StatusCode::kDataLoss);
  EXPECT_NE(valid.message().find("has 103"), std::string::npos) << valid.message();
  unlink(store_->ShmPath(info.id).c_str());

  info.state = rpc::ObjectState::kSpilled;
  info.path = "/etc/passwd";
  valid = store_->ValidateIncoming(info);
  EXPECT_EQ(valid.code(), StatusCode::kDataLoss);
  EXPECT_NE(valid.message().find("outside the spill directory"), std::string::npos) << valid.message();
  info.state = static_cast<rpc::ObjectState>(9);  // as a corrupt message may carry
  valid = store_->ValidateIncoming(info);
  EXPECT_EQ(valid.code(), StatusCode::kDataLoss);
}

TEST_F(ObjectStoreTest, ResultNobodyWantsIsDropped) {
  rpc::ObjectInfo info;
  info.id = ObjectId::Generate();
  info.state = rpc::ObjectState::kInline;
  info.data = "x";
  EXPECT_FALSE(store_->Seal(info));
}

}  // namespace
}  // namespace strata::node
