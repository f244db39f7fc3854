#include "node/object_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/store_files.h"

namespace strata::node {
namespace {

namespace fs = std::filesystem;

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata_store_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    StoreOptions o;
    o.shm_prefix = "/dev/shm/strata_test_" + std::to_string(getpid()) + "_";
    o.spill_dir = dir_.string();
    o.capacity_bytes = 2500;
    store_ = std::make_unique<ObjectStore>(o);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Writes a shared-memory object of `size` bytes of `fill` and seals it.
  ObjectId MakeShm(rpc::ConnId holder, size_t size, char fill) {
    const ObjectId id = ObjectId::Generate();
    std::string error;
    auto w = CreateObjectFile(store_->ShmPath(id), size, &error);
    EXPECT_TRUE(w) << error;
    std::memset(w->data(), fill, size);
    w->Finish();
    store_->Expect(id);
    store_->AddHolder(holder, id, 1);
    rpc::ObjectInfo info;
    info.id = id;
    info.state = static_cast<uint8_t>(rpc::ObjectState::kShm);
    info.size = size;
    EXPECT_NE(store_->Seal(info), nullptr);
    return id;
  }

  fs::path dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(ObjectStoreTest, LeastRecentlyUsedObjectSpillsWhenFull) {
  const ObjectId a = MakeShm(1, 1000, 'a');
  const ObjectId b = MakeShm(1, 1000, 'b');
  store_->ReaderInfo(*store_->Find(a));  // a is now more recent than b
  const ObjectId c = MakeShm(1, 1000, 'c');
  EXPECT_EQ(store_->Find(b)->info.state, static_cast<uint8_t>(rpc::ObjectState::kSpilled));
  EXPECT_EQ(store_->Find(a)->info.state, static_cast<uint8_t>(rpc::ObjectState::kShm));
  EXPECT_EQ(store_->Find(c)->info.state, static_cast<uint8_t>(rpc::ObjectState::kShm));
  EXPECT_FALSE(fs::exists(store_->ShmPath(b)));
  internal::ObjectBytes bytes;
  std::string error;
  ASSERT_TRUE(MapObjectFile(store_->Find(b)->info.path, &bytes, &error)) << error;
  ASSERT_EQ(bytes.size, 1000u);
  EXPECT_EQ(bytes.data[0], 'b');
  EXPECT_EQ(bytes.data[999], 'b');
  head::StoreStats s = store_->Stats();
  EXPECT_EQ(s.used_bytes, 2000u);
  EXPECT_EQ(s.spilled_bytes, 1000u);
  EXPECT_EQ(s.spill_count, 1u);
}

TEST_F(ObjectStoreTest, LastReferenceFreesObjectAndFile) {
  const ObjectId a = MakeShm(1, 100, 'a');
  store_->AddHolder(2, a, 1);
  store_->AddHolder(1, a, -1);
  EXPECT_NE(store_->Find(a), nullptr);
  store_->DropConnection(2);  // the last holder's process went away
  EXPECT_EQ(store_->Find(a), nullptr);
  EXPECT_FALSE(fs::exists(store_->ShmPath(a)));
  EXPECT_EQ(store_->Stats().used_bytes, 0u);
}

TEST_F(ObjectStoreTest, PinnedObjectOutlivesItsHolders) {
  const ObjectId a = MakeShm(1, 100, 'a');
  store_->Pin(a);  // a queued task takes it as an argument
  store_->AddHolder(1, a, -1);
  EXPECT_NE(store_->Find(a), nullptr);
  store_->Unpin(a);
  EXPECT_EQ(store_->Find(a), nullptr);
}

TEST_F(ObjectStoreTest, ResultNobodyWantsIsDropped) {
  rpc::ObjectInfo info;
  info.id = ObjectId::Generate();
  info.state = static_cast<uint8_t>(rpc::ObjectState::kInline);
  info.data = "x";
  EXPECT_EQ(store_->Seal(info), nullptr);
}

}  // namespace
}  // namespace strata::node
