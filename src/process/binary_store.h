// Executables by content. A job's work can run on a node that has never seen
// its program: the node fetches the binary by SHA-256 from the node that sent
// the work (or, for `strata job submit`, the CLI uploads it to the head) into
// the machine's binary cache, verifies the hash, and runs it from there. One
// copy per content per machine, however many jobs or sessions use it.
//
// Thread-safety: not thread-safe; runs on the agent's event loop thread.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "rpc/event_loop.h"
#include "rpc/messages.h"

namespace strata::process {

class BinaryStore {
 public:
  // ok: `result` is the verified local path; else it says what went wrong.
  using Done = std::function<void(bool ok, const std::string& result)>;

  explicit BinaryStore(rpc::EventLoop* loop);
  ~BinaryStore();

  // Hashes the file at `path` (once per path, size and modification time) and
  // serves it under its hash from now on. Returns the hash.
  Result<std::string> Describe(const std::string& path, uint64_t* size);
  // Where this node has the binary with this hash; "" if nowhere.
  std::string Find(const std::string& sha256);

  // Fetches a binary from the peer on `conn`, one chunk at a time. Callers
  // asking for the same hash share one fetch; a cached one completes at once.
  void Fetch(const std::string& sha256, uint64_t size, rpc::ConnId conn, Done done);
  void OnRequest(rpc::ConnId conn, const rpc::BinaryRequest& request);
  // A chunk that answers a Fetch, or (`allow_upload`) one a client pushes
  // unasked, in order from offset 0. An error for a chunk that fits neither:
  // the caller closes that connection.
  Status OnChunk(rpc::ConnId conn, rpc::BinaryChunk&& chunk, bool allow_upload);
  // The peer is gone: its fetches and uploads fail.
  void OnPeerClosed(rpc::ConnId conn);

  static constexpr uint64_t kChunkBytes = 8u << 20;
  // Larger binaries are refused (a bogus size must not fill the disk).
  static constexpr uint64_t kMaxBinaryBytes = 4ull << 30;

 private:
  struct Incoming {
    rpc::ConnId conn = rpc::ConnId::kNone;
    uint64_t total = 0;
    uint64_t received = 0;
    int fd = -1;
    std::string temp_path;
    bool upload = false;
    std::vector<Done> done;
  };
  Status Begin(const std::string& sha256, uint64_t total, rpc::ConnId conn, bool upload);
  void RequestNext(const std::string& sha256, const Incoming& in);
  void Finish(const std::string& sha256, bool ok, const std::string& error);

  // What a file was when it was hashed: a file rebuilt since is not served.
  using FileKey = std::tuple<std::string, uint64_t, time_t, long>;
  static bool Unchanged(const FileKey& key);

  rpc::EventLoop* loop_;
  std::unordered_map<std::string, FileKey> paths_;  // sha256 -> a local file with it
  std::map<FileKey, std::string> hashed_;
  std::unordered_map<std::string, Incoming> incoming_;
};

}  // namespace strata::process
