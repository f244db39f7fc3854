// A session's log files, as `strata`'s dashboard shows them: the node's
// logs/ (its agent, each worker's output) and each submitted job's
// driver.log, by names relative to the session directory. The head reads its
// own; any other node's agent answers the same for its machine (kLogRequest).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata {

// logs/<file> or jobs/<id>/driver.log; nothing that climbs out of the session.
bool SafeLogName(const std::string& name);

// (name, bytes), sorted by name.
std::vector<std::pair<std::string, uint64_t>> ListSessionLogs(const std::string& session_dir);

// The last `lines` lines of `path` holding `query` (case-insensitive; all
// when empty). Reads at most the file's last 4 MiB.
std::string TailOfFile(const std::string& path, int lines, const std::string& query);

// TailOfFile of the log `name` of the session. False: not a log of it.
bool TailSessionLog(const std::string& session_dir, const std::string& name, int lines, const std::string& query,
                    std::string* text);

}  // namespace strata
