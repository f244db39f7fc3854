#include "process/binary_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/binary_files.h"

namespace strata::process {

using rpc::MsgType;

BinaryStore::BinaryStore(rpc::EventLoop* loop) : loop_(loop) {}

BinaryStore::~BinaryStore() {
  for (auto& [sha, in] : incoming_) {
    if (in.fd >= 0) close(in.fd);
    unlink(in.temp_path.c_str());
  }
}

namespace {
bool KeyOf(const std::string& path, std::tuple<std::string, uint64_t, time_t, long>* key) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return false;
  *key = std::make_tuple(path, static_cast<uint64_t>(st.st_size), st.st_mtim.tv_sec,
                         st.st_mtim.tv_nsec);
  return true;
}
}  // namespace

bool BinaryStore::Unchanged(const FileKey& key) {
  FileKey now;
  return KeyOf(std::get<0>(key), &now) && now == key;
}

Result<std::string> BinaryStore::Describe(const std::string& path, uint64_t* size) {
  FileKey key;
  if (!KeyOf(path, &key)) {
    return CannotRead(path);
  }
  *size = std::get<1>(key);
  if (auto it = hashed_.find(key); it != hashed_.end()) return it->second;
  STRATA_ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(path));
  hashed_[key] = sha;
  paths_[sha] = key;
  return sha;
}

std::string BinaryStore::Find(const std::string& sha256) {
  if (auto it = paths_.find(sha256); it != paths_.end()) {
    if (Unchanged(it->second)) return std::get<0>(it->second);
    paths_.erase(it);
  }
  // The cache is per machine: another node or session may have filled it.
  const std::string cached = CachedBinaryPath(sha256);
  FileKey key;
  if (IsValidSha256Hex(sha256) && access(cached.c_str(), X_OK) == 0 && KeyOf(cached, &key)) {
    paths_[sha256] = key;
    return cached;
  }
  return "";
}

Status BinaryStore::Begin(const std::string& sha256, uint64_t total, rpc::ConnId conn, bool upload) {
  if (!IsValidSha256Hex(sha256)) {
    return InvalidArgument("a binary must be named by a lowercase hex SHA-256, not '" + sha256 + "'");
  }
  if (total == 0 || total > kMaxBinaryBytes) {
    return InvalidArgument("binary " + sha256 + " has an impossible size (" + std::to_string(total) + " bytes)");
  }
  std::error_code ec;
  std::filesystem::create_directories(BinaryCacheDir(), ec);
  Incoming& in = incoming_[sha256];
  in.conn = conn;
  in.total = total;
  in.upload = upload;
  in.temp_path = BinaryCacheDir() + "/." + sha256 + "." + std::to_string(getpid()) + ".part";
  in.fd = open(in.temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
  if (in.fd < 0) {
    const Status failed = ErrnoError(errno, "cannot write " + in.temp_path);
    incoming_.erase(sha256);
    return failed;
  }
  return OkStatus();
}

void BinaryStore::Fetch(const std::string& sha256, uint64_t size, rpc::ConnId conn, Done done) {
  if (std::string path = Find(sha256); !path.empty()) {
    done(true, path);
    return;
  }
  if (auto it = incoming_.find(sha256); it != incoming_.end()) {
    it->second.done.push_back(std::move(done));
    return;
  }
  if (Status begun = Begin(sha256, size, conn, /*upload=*/false); !begun.ok()) {
    done(false, begun.message());
    return;
  }
  Incoming& in = incoming_[sha256];
  in.done.push_back(std::move(done));
  spdlog::info("fetching binary {} ({} bytes) from connection {}", sha256.substr(0, 12), size,
               conn);
  RequestNext(sha256, in);
}

void BinaryStore::RequestNext(const std::string& sha256, const Incoming& in) {
  rpc::BinaryRequest request;
  request.sha256 = sha256;
  request.offset = in.received;
  request.length = std::min<uint64_t>(kChunkBytes, in.total - in.received);
  loop_->Send(in.conn, MsgType::kFetchBinary, request);
}

void BinaryStore::OnRequest(rpc::ConnId conn, const rpc::BinaryRequest& request) {
  rpc::BinaryChunk chunk;
  chunk.sha256 = request.sha256;
  chunk.offset = request.offset;
  const std::string path = Find(request.sha256);
  const int fd = path.empty() ? -1 : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0) {
    chunk.error = "node has no binary " + request.sha256;
  } else {
    chunk.total = static_cast<uint64_t>(st.st_size);
    const uint64_t length = std::min<uint64_t>(request.length, kChunkBytes);
    if (request.offset > chunk.total) {
      chunk.error = "offset " + std::to_string(request.offset) + " is past the end of binary " +
                    request.sha256;
    } else {
      chunk.data.resize(std::min<uint64_t>(length, chunk.total - request.offset));
      const ssize_t n = pread(fd, chunk.data.data(), chunk.data.size(),
                              static_cast<off_t>(request.offset));
      if (n != static_cast<ssize_t>(chunk.data.size())) {
        chunk.data.clear();
        chunk.error = "cannot read " + path + ": " + std::strerror(errno);
      }
    }
  }
  if (fd >= 0) close(fd);
  loop_->Send(conn, MsgType::kBinaryChunk, chunk);
}

Status BinaryStore::OnChunk(rpc::ConnId conn, rpc::BinaryChunk&& chunk, bool allow_upload) {
  auto it = incoming_.find(chunk.sha256);
  if (it == incoming_.end()) {
    if (!allow_upload || chunk.offset != 0) {
      return InvalidArgument("a BinaryChunk of " + chunk.sha256 + " that nobody asked for");
    }
    STRATA_RETURN_IF_ERROR(Begin(chunk.sha256, chunk.total, conn, /*upload=*/true));
    it = incoming_.find(chunk.sha256);
  }
  Incoming& in = it->second;
  if (in.conn != conn) {
    return InvalidArgument("binary " + chunk.sha256 + " is already being received from another connection");
  }
  if (!chunk.error.empty()) {
    Finish(chunk.sha256, false, chunk.error);
    return OkStatus();
  }
  if (chunk.offset != in.received || chunk.total != in.total ||
      chunk.data.size() > in.total - in.received || (chunk.data.empty() && in.received < in.total)) {
    const std::string why = "a BinaryChunk of " + chunk.sha256 + " out of order (offset " +
                            std::to_string(chunk.offset) + ", expected " +
                            std::to_string(in.received) + ")";
    Finish(chunk.sha256, false, why);
    return InvalidArgument(why);
  }
  const ssize_t n = pwrite(in.fd, chunk.data.data(), chunk.data.size(),
                           static_cast<off_t>(chunk.offset));
  if (n != static_cast<ssize_t>(chunk.data.size())) {
    Finish(chunk.sha256, false, "cannot write " + in.temp_path + ": " + std::strerror(errno));
    return OkStatus();
  }
  in.received += chunk.data.size();
  if (in.received < in.total) {
    if (!in.upload) RequestNext(chunk.sha256, in);
    return OkStatus();
  }
  Finish(chunk.sha256, true, "");
  return OkStatus();
}

void BinaryStore::Finish(const std::string& sha256, bool ok, const std::string& error) {
  auto it = incoming_.find(sha256);
  if (it == incoming_.end()) return;
  Incoming in = std::move(it->second);
  incoming_.erase(it);
  close(in.fd);
  std::string result = error;
  if (ok) {
    const Result<std::string> actual = Sha256OfFile(in.temp_path);
    const std::string final_path = CachedBinaryPath(sha256);
    if (!actual.ok() || *actual != sha256) {
      ok = false;
      result = "binary " + sha256 + " arrived corrupt (its bytes hash to " +
               (actual.ok() ? *actual : actual.status().message()) + ")";
    } else if (rename(in.temp_path.c_str(), final_path.c_str()) != 0) {
      ok = false;
      result = "cannot move " + in.temp_path + " into the cache: " + std::strerror(errno);
    } else {
      FileKey key;
      if (KeyOf(final_path, &key)) paths_[sha256] = key;
      result = final_path;
      spdlog::info("binary {} ({} bytes) is in the cache at {}", sha256.substr(0, 12), in.total,
                   final_path);
    }
  }
  if (!ok) {
    unlink(in.temp_path.c_str());
    spdlog::error("binary {}: {}", sha256.substr(0, 12), result);
  }
  for (Done& d : in.done) d(ok, result);
}

void BinaryStore::OnPeerClosed(rpc::ConnId conn) {
  std::vector<std::string> lost;
  for (const auto& [sha, in] : incoming_) {
    if (in.conn == conn) lost.push_back(sha);
  }
  for (const std::string& sha : lost) {
    Finish(sha, false, "the connection it came on closed before it was complete");
  }
}

}  // namespace strata::process
