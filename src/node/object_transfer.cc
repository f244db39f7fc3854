#include "node/object_transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "common/store_files.h"

namespace strata::node {

using rpc::ObjectState;

namespace {
constexpr uint64_t kChunkBytes = 4 << 20;
constexpr int kChunksInFlight = 4;

bool ReadRange(const std::string& path, uint64_t offset, uint64_t length, char* dest,
               std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = pread(fd, dest + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "cannot read " + path;
      close(fd);
      return false;
    }
    done += static_cast<uint64_t>(n);
  }
  close(fd);
  return true;
}
}  // namespace

void ObjectTransfer::Pull(const ObjectId& id, rpc::ConnId conn, Done done) {
  auto it = pulls_.find(id);
  if (it != pulls_.end()) {
    it->second.done.push_back(std::move(done));
    return;
  }
  Transfer& t = pulls_[id];
  t.conn = conn;
  t.done.push_back(std::move(done));
  // The first chunk tells the size; the rest are asked for once it is known.
  loop_->Send(conn, rpc::MsgType::kPullChunk, rpc::ChunkRequest{id, 0, kChunkBytes});
  t.next_offset = kChunkBytes;
  t.in_flight = 1;
}

void ObjectTransfer::RequestMore(const ObjectId& id, Transfer& t) {
  while (t.in_flight < kChunksInFlight && t.next_offset < t.file_size) {
    const uint64_t length = std::min(kChunkBytes, t.file_size - t.next_offset);
    loop_->Send(t.conn, rpc::MsgType::kPullChunk, rpc::ChunkRequest{id, t.next_offset, length});
    t.next_offset += length;
    ++t.in_flight;
  }
}

void ObjectTransfer::OnChunkRequest(rpc::ConnId conn, const rpc::ChunkRequest& request) {
  rpc::ObjectChunk chunk;
  chunk.id = request.id;
  chunk.offset = request.offset;
  StoredObject* obj = store_->Find(request.id);
  std::string path;
  if (obj != nullptr && !obj->ready) {
    parked_[request.id].emplace_back(conn, request);  // a task here is still making it
    return;
  }
  if (obj == nullptr) {
    chunk.error = "object " + request.id.Hex() + " is not on this node";
  } else if (obj->info.state == ObjectState::kInline ||
             obj->info.state == ObjectState::kError) {
    chunk.whole_state = static_cast<int8_t>(obj->info.state);
    chunk.data = obj->info.data;
    stats_.served_bytes += chunk.data.size();
  } else if (obj->info.state != ObjectState::kShm &&
             obj->info.state != ObjectState::kSpilled) {
    chunk.error = "object " + request.id.Hex() + " is not ready to send";
  } else {
    path = obj->info.state == ObjectState::kShm ? store_->ShmPath(obj->id)
                                                                       : obj->info.path;
    chunk.file_size = obj->info.size + internal::kObjectFilePayloadOffset;
  }
  if (path.empty()) {
    loop_->Send(conn, rpc::MsgType::kObjectChunk, chunk);
    return;
  }
  const uint64_t length =
      request.offset >= chunk.file_size
          ? 0
          : std::min({request.length, kChunkBytes, chunk.file_size - request.offset});
  // The frame is written in place: msgpack for the small fields, then the
  // file's bytes read straight into the connection's output buffer.
  std::string error;
  loop_->SendWith(conn, [&](std::string* out) {
    const size_t start = out->size();
    out->append(rpc::kFrameHeaderBytes, '\0');
    struct Appender {
      std::string* s;
      void write(const char* p, size_t n) { s->append(p, n); }
    } sink{out};
    msgpack::packer<Appender> pk(sink);
    pk.pack_array(6);
    pk.pack(chunk.id);
    pk.pack(chunk.offset);
    pk.pack(chunk.file_size);
    pk.pack_bin(static_cast<uint32_t>(length));
    const size_t data_at = out->size();
    out->resize(data_at + length);
    if (!ReadRange(path, chunk.offset, length, out->data() + data_at, &error)) {
      out->resize(start);  // drop the half-written frame; an error chunk follows
      return;
    }
    pk.pack(std::string());
    pk.pack(static_cast<int8_t>(-1));
    stats_.served_bytes += length;
    const uint32_t len = static_cast<uint32_t>(out->size() - start - 4);
    for (int i = 0; i < 4; ++i) (*out)[start + i] = static_cast<char>((len >> (8 * i)) & 0xff);
    (*out)[start + 4] = static_cast<char>(rpc::MsgType::kObjectChunk);
  });
  if (!error.empty()) {
    chunk.error = error;
    loop_->Send(conn, rpc::MsgType::kObjectChunk, chunk);
  }
}

Status ObjectTransfer::DecodeChunk(const char* body, size_t size, ChunkView* out) {
  try {
    // In place: the chunk's bytes are copied once, into the object's file.
    msgpack::object_handle h = msgpack::unpack(body, size, internal::ReferenceInPlace);
    const msgpack::object& o = h.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 6) throw msgpack::type_error();
    const msgpack::object* f = o.via.array.ptr;
    f[0].convert(out->id);
    f[1].convert(out->offset);
    f[2].convert(out->file_size);
    if (f[3].type == msgpack::type::BIN) {
      out->data = f[3].via.bin.ptr;
      out->size = f[3].via.bin.size;
    } else if (f[3].type == msgpack::type::STR) {
      out->data = f[3].via.str.ptr;
      out->size = f[3].via.str.size;
    } else {
      throw msgpack::type_error();
    }
    f[4].convert(out->error);
    f[5].convert(out->whole_state);
    return OkStatus();
  } catch (const std::exception& e) {
    return DataLoss(e.what());
  }
}

void ObjectTransfer::OnObjectReady(const ObjectId& id) {
  auto it = parked_.find(id);
  if (it == parked_.end()) return;
  auto waiting = std::move(it->second);
  parked_.erase(it);
  for (const auto& [conn, request] : waiting) {
    if (loop_->IsOpen(conn)) OnChunkRequest(conn, request);
  }
}

void ObjectTransfer::OnChunk(rpc::ConnId conn, const ChunkView& chunk) {
  auto it = pulls_.find(chunk.id);
  if (it == pulls_.end() || it->second.conn != conn) return;
  Transfer& t = it->second;
  --t.in_flight;
  if (!chunk.error.empty()) {
    Finish(chunk.id, false, chunk.error);
    return;
  }
  if (chunk.whole_state >= 0) {
    // A small object comes whole, in one message.
    rpc::ObjectInfo info;
    info.id = chunk.id;
    info.state = chunk.whole_state == static_cast<int>(ObjectState::kError) ? ObjectState::kError
                                                                             : ObjectState::kInline;
    info.data.assign(chunk.data, chunk.size);
    info.size = info.state == ObjectState::kInline ? info.data.size() : 0;
    auto done = std::move(t.done);
    pulls_.erase(it);
    ++stats_.pulls;
    stats_.pulled_bytes += info.size;
    store_->Seal(std::move(info));
    for (Done& d : done) d(true, "");
    return;
  }
  if (t.writer == nullptr) {
    if (chunk.file_size < internal::kObjectFilePayloadOffset) {
      Finish(chunk.id, false, "peer sent an impossible object size");
      return;
    }
    t.file_size = chunk.file_size;
    const uint64_t payload = t.file_size - internal::kObjectFilePayloadOffset;
    t.path = payload > store_->options().capacity_bytes ? store_->SpillPath(chunk.id)
                                                        : store_->ShmPath(chunk.id);
    // Reused pages (a freed object's file) are several times faster to fill.
    std::string claimed;
    if (t.path == store_->ShmPath(chunk.id) && t.file_size >= kRecycleMinBytes) {
      t.writer = ClaimPooledFile(store_->options().pool_dir, t.path, t.file_size, &claimed);
      t.recycled = claimed;
    }
    if (t.writer == nullptr) {
      Result<std::unique_ptr<internal::LargeObjectWriter>> created = CreateObjectFile(t.path, t.file_size);
      if (!created.ok()) {
        Finish(chunk.id, false, created.status().message());
        return;
      }
      t.writer = std::move(created).value();
    }
  }
  if (chunk.offset + chunk.size > t.file_size) {
    Finish(chunk.id, false, "peer sent a chunk past the end of the object");
    return;
  }
  std::memcpy(t.writer->data() + chunk.offset, chunk.data, chunk.size);
  t.received += chunk.size;
  if (t.received >= t.file_size) {
    Finish(chunk.id, true, "");
    return;
  }
  RequestMore(chunk.id, t);
}

void ObjectTransfer::Finish(const ObjectId& id, bool ok, const std::string& error) {
  auto it = pulls_.find(id);
  if (it == pulls_.end()) return;
  Transfer t = std::move(it->second);
  pulls_.erase(it);
  if (t.writer) t.writer->Finish();
  ++(ok ? stats_.pulls : stats_.pull_failures);
  if (ok) stats_.pulled_bytes += t.file_size - internal::kObjectFilePayloadOffset;
  if (ok) {
    rpc::ObjectInfo info;
    info.id = id;
    info.size = t.file_size - internal::kObjectFilePayloadOffset;
    const bool spilled = t.path == store_->SpillPath(id);
    info.state = spilled ? ObjectState::kSpilled : ObjectState::kShm;
    if (spilled) info.path = t.path;
    info.recycled = t.recycled;
    store_->Seal(std::move(info));
  } else {
    if (!t.path.empty()) unlink(t.path.c_str());
    spdlog::warn("pulling object {} failed: {}", id.Hex(), error);
  }
  for (Done& d : t.done) d(ok, error);
}

void ObjectTransfer::OnPeerClosed(rpc::ConnId conn) {
  std::vector<ObjectId> failed;
  for (const auto& [id, t] : pulls_) {
    if (t.conn == conn) failed.push_back(id);
  }
  for (const ObjectId& id : failed) Finish(id, false, "the node holding it went away");
}

}  // namespace strata::node
