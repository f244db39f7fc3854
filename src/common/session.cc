#include "common/session.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

namespace strata {

namespace fs = std::filesystem;

std::string SessionRoot() {
  const char* env = std::getenv("STRATA_TMPDIR");
  return (env && *env) ? std::string(env) : std::string("/tmp/strata");
}

Result<std::string> CreateSessionDir() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[64];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d_%H-%M-%S", &tm);
  const fs::path root = SessionRoot();
  const fs::path dir = root / ("session_" + std::string(stamp) + "_" + std::to_string(getpid()));
  std::error_code ec;
  fs::create_directories(dir / "logs", ec);
  if (!ec) fs::create_directories(dir / "spill", ec);
  if (ec) return Unavailable("cannot create session directory " + dir.string() + ": " + ec.message());
  const fs::path latest = root / "session_latest";
  const fs::path tmp = root / ("session_latest." + std::to_string(getpid()));
  fs::remove(tmp, ec);
  fs::create_directory_symlink(dir, tmp, ec);
  if (!ec) fs::rename(tmp, latest, ec);  // atomic replace of the link
  return dir.string();
}

std::string ClusterRecordPath() { return SessionRoot() + "/cluster.json"; }

std::optional<ClusterRecord> ReadLiveClusterRecord() {
  std::ifstream in(ClusterRecordPath());
  if (!in) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    ClusterRecord r;
    r.address = j.at("address").get<std::string>();
    r.pid = j.at("pid").get<int>();
    r.session_dir = j.value("session_dir", "");
    r.token = j.value("token", "");
    r.dashboard_url = j.value("dashboard_url", "");
    if (r.pid <= 0 || (kill(r.pid, 0) != 0 && errno == ESRCH)) return std::nullopt;
    return r;
  } catch (const std::exception&) {
    return std::nullopt;  // a stale or partial file means no usable cluster
  }
}

Status WriteClusterRecord(const ClusterRecord& r) {
  nlohmann::json j = {{"address", r.address},
                      {"pid", r.pid},
                      {"session_dir", r.session_dir},
                      {"token", r.token},
                      {"dashboard_url", r.dashboard_url}};
  std::error_code ec;
  fs::create_directories(SessionRoot(), ec);
  const std::string tmp = ClusterRecordPath() + ".tmp";
  {
    // Created private: the record holds the cluster token.
    const mode_t old_mask = umask(077);
    std::ofstream out(tmp, std::ios::trunc);
    umask(old_mask);
    if (!out) return ErrnoError(errno, "cannot write " + tmp);
    out << j.dump(2) << "\n";
  }
  chmod(tmp.c_str(), 0600);
  if (std::rename(tmp.c_str(), ClusterRecordPath().c_str()) != 0) {
    return ErrnoError(errno, "cannot write " + ClusterRecordPath());
  }
  return OkStatus();
}

void RemoveClusterRecord() {
  std::error_code ec;
  fs::remove(ClusterRecordPath(), ec);
}

std::string NewClusterToken() {
  std::random_device rd;
  char buf[33];
  for (int i = 0; i < 4; ++i) std::snprintf(buf + 8 * i, 9, "%08x", rd());
  return std::string(buf, 32);
}

bool TokensEqual(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string ShmPrefixFor(const std::string& node_tag) {
  return "/dev/shm/strata_" + std::to_string(getpid()) + "_" + node_tag + "_";
}

uint64_t CleanStaleShmFiles() {
  uint64_t freed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/dev/shm", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("strata_", 0) != 0) continue;
    const size_t end = name.find('_', 7);
    if (end == std::string::npos) continue;
    int pid = 0;
    try {
      pid = std::stoi(name.substr(7, end - 7));
    } catch (const std::exception&) {
      continue;
    }
    if (pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code size_ec;
    if (entry.is_directory(size_ec)) {  // a crashed agent's pool of freed files
      for (const auto& f : fs::directory_iterator(entry.path(), size_ec)) {
        freed += fs::file_size(f.path(), size_ec);
      }
      fs::remove_all(entry.path(), size_ec);
      continue;
    }
    const uint64_t size = fs::file_size(entry.path(), size_ec);
    if (fs::remove(entry.path(), size_ec)) freed += size_ec ? 0 : size;
  }
  return freed;
}

}  // namespace strata
