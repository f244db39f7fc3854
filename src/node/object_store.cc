#include "node/object_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "common/store_files.h"

namespace strata::node {

using rpc::ObjectState;

ObjectStore::ObjectStore(StoreOptions options) : options_(std::move(options)) {
  if (!options_.pool_dir.empty()) mkdir(options_.pool_dir.c_str(), 0700);
}

ObjectStore::~ObjectStore() {
  WaitForSpills();
  options_.capacity_bytes = 0;  // nothing goes to the pool any more
  for (auto& [id, obj] : objects_) {
    if (obj.ready) DeleteFiles(obj.info);
  }
  TrimPool(UINT64_MAX);
  if (!options_.pool_dir.empty()) rmdir(options_.pool_dir.c_str());
}

void ObjectStore::ForgetPooled(const std::string& name) {
  auto it = pool_.find(name);
  if (it == pool_.end()) return;
  pooled_bytes_ -= it->second;
  pool_.erase(it);
}

void ObjectStore::TrimPool(uint64_t room_needed) {
  while (!pool_.empty() && used_bytes_ + pooled_bytes_ + room_needed > options_.capacity_bytes) {
    const std::string name = pool_.begin()->first;
    // If a writer claimed it meanwhile the unlink fails; either way it has
    // left the pool.
    unlink((options_.pool_dir + "/" + name).c_str());
    ForgetPooled(name);
    if (room_needed == UINT64_MAX && pool_.empty()) break;
  }
}

StoredObject* ObjectStore::Find(const ObjectId& id) {
  auto it = objects_.find(id);
  return it == objects_.end() ? nullptr : &it->second;
}

StoredObject& ObjectStore::Expect(const ObjectId& id) {
  StoredObject& obj = objects_[id];
  obj.id = id;
  return obj;
}

std::string ObjectStore::SpillPath(const ObjectId& id) const {
  return options_.spill_dir + "/" + id.Hex();
}

bool ObjectStore::Seal(rpc::ObjectInfo info, rpc::ConnId owner) {
  if (!info.recycled.empty()) ForgetPooled(info.recycled);
  auto it = objects_.find(info.id);
  if (it == objects_.end()) {
    DeleteFiles(info);  // nobody holds it any more
    return false;
  }
  StoredObject& obj = it->second;
  if (obj.ready) {
    // A retried task made it again; the first copy stands (and its owner
    // hears of it again: the retry may be what it waits for).
    if (info.state != obj.info.state || info.path != obj.info.path) DeleteFiles(info);
    if (listener_ != nullptr) listener_->OnObjectReady(obj, owner);
    return true;
  }
  if (info.state == ObjectState::kShm && !spill_error_.empty() &&
      used_bytes_ + info.size > options_.capacity_bytes) {
    const std::string why = "ObjectStoreFullError: object of " + std::to_string(info.size) +
                            " bytes refused: the store holds " + std::to_string(used_bytes_) + " of " +
                            std::to_string(options_.capacity_bytes) + " bytes and spilling to " +
                            options_.spill_dir + " fails (" + spill_error_ + ")";
    spdlog::error("{}", why);
    ++refused_;
    DeleteFiles(info);
    info = rpc::ErrorObject(info.id, why);
  }
  obj.ready = true;
  obj.info = std::move(info);
  for (const ObjectId& c : obj.info.contained) Pin(c);
  if (obj.info.state == ObjectState::kShm) {
    used_bytes_ += obj.info.size;
    lru_.push_back(obj.id);
    obj.lru = std::prev(lru_.end());
    EnforceCapacity(obj.id);
  } else if (obj.info.state == ObjectState::kSpilled) {
    spilled_bytes_ += obj.info.size;
    ++num_spilled_;
  }
  if (listener_ != nullptr) listener_->OnObjectReady(obj, owner);
  return true;
}

void ObjectStore::EnforceCapacity(const ObjectId& keep) {
  // Give up pooled files first, then spill least recently used objects until
  // shared memory fits again. The newest object goes last: it is the one most
  // likely to be read next.
  TrimPool(0);
  auto it = lru_.begin();
  while (used_bytes_ > options_.capacity_bytes + spilling_bytes_ && it != lru_.end()) {
    StoredObject& victim = objects_.at(*it);
    ++it;
    if (victim.spilling || (victim.id == keep && it != lru_.end())) continue;
    Spill(victim);
  }
}

void ObjectStore::Spill(StoredObject& obj) {
  // Readers keep being sent the shared-memory file until the copy is done.
  obj.spilling = true;
  spilling_bytes_ += obj.info.size;
  spiller_.Submit({obj.id, ShmPath(obj.id), SpillPath(obj.id), obj.info.size});
}

void ObjectStore::OnSpillsDone() { FinishSpills(spiller_.TakeDone()); }

void ObjectStore::WaitForSpills() { FinishSpills(spiller_.WaitAll()); }

void ObjectStore::FinishSpills(std::vector<Spiller::Done> done) {
  for (Spiller::Done& d : done) {
    auto it = objects_.find(d.job.id);
    if (it == objects_.end() || !it->second.spilling) {
      unlink(d.job.to.c_str());  // freed while being copied (MaybeFree settled its bytes)
      continue;
    }
    StoredObject& obj = it->second;
    spilling_bytes_ -= d.job.size;
    obj.spilling = false;
    if (!d.copied.ok()) {
      if (spill_error_.empty()) spdlog::error("spilling object {} failed: {}", obj.id.Hex(), d.copied.message());
      spill_error_ = d.copied.message();
      continue;
    }
    spill_error_.clear();
    // Readers that mapped the shared-memory file keep their mapping; new
    // readers are sent the spill path.
    unlink(d.job.from.c_str());
    lru_.erase(obj.lru);
    used_bytes_ -= obj.info.size;
    spilled_bytes_ += obj.info.size;
    ++num_spilled_;
    ++spill_count_;
    obj.info.state = ObjectState::kSpilled;
    obj.info.path = d.job.to;
    spdlog::debug("spilled object {} ({} bytes) to {}", obj.id.Hex(), obj.info.size, d.job.to);
  }
}

Status ObjectStore::ValidateIncoming(const rpc::ObjectInfo& info) const {
  const auto state = info.state;
  switch (state) {
    case ObjectState::kInline:
      if (info.data.size() != info.size) {
        return DataLoss("object " + info.id.Hex() + " says " + std::to_string(info.size) + " bytes but carries " +
                 std::to_string(info.data.size()));
      }
      return OkStatus();
    case ObjectState::kError:
      return OkStatus();
    case ObjectState::kShm:
    case ObjectState::kSpilled: {
      const std::string path = state == ObjectState::kShm ? ShmPath(info.id) : info.path;
      if (state == ObjectState::kSpilled && path != SpillPath(info.id)) {
        return DataLoss("object " + info.id.Hex() + " names a file outside the spill directory: " + path);
      }
      struct stat st {};
      if (stat(path.c_str(), &st) != 0) {
        return DataLoss("object " + info.id.Hex() + " names a file that does not exist: " + path);
      }
      if (static_cast<uint64_t>(st.st_size) != info.size + internal::kObjectFilePayloadOffset) {
        return DataLoss("object " + info.id.Hex() + " says " + std::to_string(info.size) +
                 " bytes but its file " + path + " has " + std::to_string(st.st_size));
      }
      return OkStatus();
    }
    default:
      return DataLoss("object " + info.id.Hex() + " has an invalid state " + std::to_string(static_cast<int>(info.state)));
  }
}

rpc::ObjectInfo ObjectStore::ReaderInfo(StoredObject& obj) {
  if (obj.info.state == ObjectState::kShm) {
    lru_.splice(lru_.end(), lru_, obj.lru);
  }
  return obj.info;
}

void ObjectStore::AddHolder(rpc::ConnId conn, const ObjectId& id, int32_t delta) {
  auto& held = held_by_[conn];
  int32_t& count = held[id];
  // A connection can only give up references it holds: a confused or hostile
  // peer must not free objects that others still use.
  if (delta < 0) delta = -std::min(count, -delta);
  count += delta;
  if (count <= 0) held.erase(id);
  auto it = objects_.find(id);
  if (it == objects_.end()) {
    if (delta > 0) {
      // A reference to an object this node has not seen yet (it is still
      // being made elsewhere, or was freed): keep the count so that the
      // object stays alive if it arrives.
      Expect(id).holders += delta;
    }
    return;
  }
  it->second.holders += delta;
  MaybeFree(id);
}

void ObjectStore::DropConnection(rpc::ConnId conn) {
  auto it = held_by_.find(conn);
  if (it == held_by_.end()) return;
  auto held = std::move(it->second);
  held_by_.erase(it);
  for (const auto& [id, count] : held) {
    auto o = objects_.find(id);
    if (o == objects_.end()) continue;
    o->second.holders -= count;
    MaybeFree(id);
  }
}

void ObjectStore::Pin(const ObjectId& id) { ++Expect(id).pins; }

void ObjectStore::Unpin(const ObjectId& id) {
  auto it = objects_.find(id);
  if (it == objects_.end()) return;
  --it->second.pins;
  MaybeFree(id);
}

void ObjectStore::MaybeFree(const ObjectId& id) {
  auto it = objects_.find(id);
  if (it == objects_.end()) return;
  StoredObject& obj = it->second;
  if (obj.holders > 0 || obj.pins > 0 || !obj.waiters.empty() || !obj.dependents.empty()) return;
  std::vector<ObjectId> contained;
  if (obj.ready) {
    contained = obj.info.contained;
    if (obj.info.state == ObjectState::kShm) {
      used_bytes_ -= obj.info.size;
      if (obj.spilling) spilling_bytes_ -= obj.info.size;
      lru_.erase(obj.lru);
    } else if (obj.info.state == ObjectState::kSpilled) {
      spilled_bytes_ -= obj.info.size;
      --num_spilled_;
    }
    DeleteFiles(obj.info);
  }
  objects_.erase(it);
  if (on_free_) on_free_(id);
  for (const ObjectId& c : contained) Unpin(c);
}

void ObjectStore::DeleteFiles(const rpc::ObjectInfo& info) {
  if (info.state == ObjectState::kShm) {
    const uint64_t file_bytes = info.size + internal::kObjectFilePayloadOffset;
    if (!options_.pool_dir.empty() && file_bytes >= kRecycleMinBytes &&
        used_bytes_ + pooled_bytes_ + file_bytes <= options_.capacity_bytes) {
      const std::string name = std::to_string(++pool_seq_);
      if (rename(ShmPath(info.id).c_str(), (options_.pool_dir + "/" + name).c_str()) == 0) {
        pool_[name] = file_bytes;
        pooled_bytes_ += file_bytes;
        return;
      }
    }
    unlink(ShmPath(info.id).c_str());
  } else if (info.state == ObjectState::kSpilled) {
    unlink(info.path.c_str());
  }
}

std::vector<ObjectId> ObjectStore::HeldBy(rpc::ConnId conn) const {
  std::vector<ObjectId> ids;
  auto it = held_by_.find(conn);
  if (it == held_by_.end()) return ids;
  for (const auto& [id, count] : it->second) {
    auto obj = objects_.find(id);
    if (count > 0 && obj != objects_.end() && obj->second.ready) ids.push_back(id);
  }
  return ids;
}

rpc::StoreStats ObjectStore::Stats() const {
  rpc::StoreStats s;
  s.capacity_bytes = options_.capacity_bytes;
  s.used_bytes = used_bytes_;
  s.spilled_bytes = spilled_bytes_;
  s.num_objects = objects_.size();
  s.num_spilled = num_spilled_;
  s.spill_count = spill_count_;
  s.pooled_bytes = pooled_bytes_;
  s.spill_error = spill_error_;
  s.refused = refused_;
  return s;
}

}  // namespace strata::node
