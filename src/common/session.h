// Where a cluster keeps its files on a machine: a session directory per
// cluster start (logs, sockets, spilled objects) and a record of the cluster
// most recently started by `strata start`, which Init() reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace strata {

// Root for all session directories: $STRATA_TMPDIR, default /tmp/strata.
std::string SessionRoot();
// Creates <root>/session_<date>_<time>_<pid> with logs/ and spill/ inside, and
// points <root>/session_latest at it. Returns the path.
Result<std::string> CreateSessionDir();

struct ClusterRecord {
  std::string address;      // host:port of the head
  int pid = 0;              // the head process
  std::string session_dir;
  std::string token;        // the cluster token (the record is readable by the user only)
  std::string dashboard_url;  // "" when the head serves none
};
// The record `strata start` writes; nullopt if missing or its process is gone.
std::optional<ClusterRecord> ReadLiveClusterRecord();
Status WriteClusterRecord(const ClusterRecord& r);
void RemoveClusterRecord();
std::string ClusterRecordPath();

// Prefix of this node's shared-memory object files: one file per object, so
// that a reader maps exactly the object it wants and a spilled object simply
// moves to another file.
// The agent's pid is in the name so that CleanStaleShmFiles can tell files of
// a crashed agent (which never got to delete them) from live ones.
// A new random cluster token: 32 hex digits.
std::string NewClusterToken();
// Compares in constant time, so that timing does not reveal a token's prefix.
bool TokensEqual(const std::string& a, const std::string& b);

std::string ShmPrefixFor(const std::string& node_tag);
// Deletes /dev/shm/strata_<pid>_* files whose agent process is gone. Returns
// how many bytes it freed.
uint64_t CleanStaleShmFiles();

}  // namespace strata
