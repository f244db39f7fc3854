// Facts about this machine that nodes advertise.
#pragma once

#include <cstdint>
#include <string>

namespace strata {

int NumCpus();                  // cores this process may run on
int64_t TotalMemoryBytes();     // physical RAM
std::string HostName();
std::string SelfExecutablePath();  // /proc/self/exe resolved
// Differs between machines (and between boots): two processes with the same
// boot id see the same files.
std::string BootId();

}  // namespace strata
