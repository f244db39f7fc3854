// Resources a node detects about its own machine, so that work can be steered
// by hardware with no configuration: {"intel": 1} lands on Intel machines.
//
//   architecture: "x86_64" or "arm64"
//   vendor:       "intel", "amd", "graviton" (AWS Neoverse) or "arm"
//   features:     "avx512", "amx" (x86), "sve" (arm64)
//
// Each badge is a resource of amount 1; `strata start --resources` can add or
// override them.
#pragma once

#include <map>
#include <string>

namespace strata {

struct MachineFacts {
  std::string arch;    // "x86_64", "arm64", or what uname reports otherwise
  std::string vendor;  // "" when unknown
  bool avx512 = false;
  bool amx = false;
  bool sve = false;
};

// Parses /proc/cpuinfo text. `machine` is uname's machine field; `dmi_vendor`
// the content of /sys/class/dmi/id/sys_vendor (tells an AWS Graviton from
// another Neoverse).
MachineFacts ParseMachineFacts(const std::string& cpuinfo, const std::string& machine,
                               const std::string& dmi_vendor);
// Reads this machine's facts.
MachineFacts DetectMachineFacts();
// The badges as resources: {"x86_64": 1, "amd": 1, "avx512": 1}.
std::map<std::string, double> BadgeResources(const MachineFacts& facts);

}  // namespace strata
