#include "common/machine_badges.h"

#include <sys/utsname.h>

#include <fstream>
#include <sstream>

namespace strata {

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of the first "key : value" line whose key is `key`.
std::string FirstValue(const std::string& cpuinfo, const std::string& key) {
  std::istringstream in(cpuinfo);
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string k = line.substr(0, colon);
    while (!k.empty() && (k.back() == ' ' || k.back() == '\t')) k.pop_back();
    if (k != key) continue;
    std::string v = line.substr(colon + 1);
    const size_t start = v.find_first_not_of(" \t");
    return start == std::string::npos ? std::string() : v.substr(start);
  }
  return "";
}

bool HasWord(const std::string& words, const std::string& word) {
  std::istringstream in(words);
  std::string w;
  while (in >> w) {
    if (w == word) return true;
  }
  return false;
}

}  // namespace

MachineFacts ParseMachineFacts(const std::string& cpuinfo, const std::string& machine,
                               const std::string& dmi_vendor) {
  MachineFacts f;
  f.arch = (machine == "aarch64" || machine == "arm64") ? "arm64" : machine;
  if (f.arch == "x86_64") {
    const std::string vendor = FirstValue(cpuinfo, "vendor_id");
    if (vendor == "GenuineIntel") f.vendor = "intel";
    if (vendor == "AuthenticAMD") f.vendor = "amd";
    const std::string flags = FirstValue(cpuinfo, "flags");
    f.avx512 = HasWord(flags, "avx512f");
    f.amx = HasWord(flags, "amx_tile");
  } else if (f.arch == "arm64") {
    const std::string implementer = FirstValue(cpuinfo, "CPU implementer");
    const std::string part = FirstValue(cpuinfo, "CPU part");
    // Neoverse N1 (Graviton2), V1 (Graviton3), V2 (Graviton4) on Amazon EC2.
    const bool neoverse = part == "0xd0c" || part == "0xd40" || part == "0xd4f";
    const bool amazon = dmi_vendor.find("Amazon") != std::string::npos;
    if (implementer == "0x41") f.vendor = (neoverse && amazon) ? "graviton" : "arm";
    f.sve = HasWord(FirstValue(cpuinfo, "Features"), "sve");
  }
  return f;
}

MachineFacts DetectMachineFacts() {
  utsname u{};
  uname(&u);
  return ParseMachineFacts(ReadFile("/proc/cpuinfo"), u.machine,
                           ReadFile("/sys/class/dmi/id/sys_vendor"));
}

std::map<std::string, double> BadgeResources(const MachineFacts& f) {
  std::map<std::string, double> r;
  if (!f.arch.empty()) r[f.arch] = 1;
  if (!f.vendor.empty()) r[f.vendor] = 1;
  if (f.avx512) r["avx512"] = 1;
  if (f.amx) r["amx"] = 1;
  if (f.sve) r["sve"] = 1;
  return r;
}

}  // namespace strata
