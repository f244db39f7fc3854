#include "common/session_logs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string_view>

namespace strata {

namespace fs = std::filesystem;

namespace {

constexpr std::streamoff kTailWindow = 4 << 20;

bool ContainsFolded(const std::string& line, const std::string& lowered_query) {
  if (lowered_query.empty()) return true;
  auto it = std::search(line.begin(), line.end(), lowered_query.begin(), lowered_query.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != line.end();
}

}  // namespace

bool SafeLogName(const std::string& name) {
  if (name.empty() || name.find("..") != std::string::npos || name[0] == '/') return false;
  return name.rfind("logs/", 0) == 0 || (name.rfind("jobs/", 0) == 0 && name.size() > 16 &&
                                         name.compare(name.size() - 11, 11, "/driver.log") == 0);
}

std::vector<std::pair<std::string, uint64_t>> ListSessionLogs(const std::string& session_dir) {
  std::error_code ec;
  std::vector<std::pair<std::string, uint64_t>> found;
  for (const auto& e : fs::directory_iterator(fs::path(session_dir) / "logs", ec)) {
    if (e.is_regular_file()) found.emplace_back("logs/" + e.path().filename().string(), e.file_size(ec));
  }
  for (const auto& e : fs::directory_iterator(fs::path(session_dir) / "jobs", ec)) {
    const fs::path log = e.path() / "driver.log";
    if (fs::exists(log, ec)) found.emplace_back("jobs/" + e.path().filename().string() + "/driver.log", fs::file_size(log, ec));
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string TailOfFile(const std::string& path, int lines, const std::string& query) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - kTailWindow);
  in.seekg(from);
  std::string text(static_cast<size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  std::string lowered(query);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string_view> kept;
  size_t start = from > 0 ? text.find('\n') + 1 : 0;  // a cut first line is not a line
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (ContainsFolded(line, lowered)) kept.emplace_back(text.data() + start, end - start);
    start = end + 1;
  }
  std::string out;
  for (size_t i = kept.size() > static_cast<size_t>(lines) ? kept.size() - lines : 0; i < kept.size(); ++i) {
    out.append(kept[i]);
    out += '\n';
  }
  return out;
}

bool TailSessionLog(const std::string& session_dir, const std::string& name, int lines, const std::string& query,
                    std::string* text) {
  if (!SafeLogName(name)) return false;
  const fs::path path = fs::path(session_dir) / name;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  *text = TailOfFile(path.string(), lines, query);
  return true;
}

}  // namespace strata
