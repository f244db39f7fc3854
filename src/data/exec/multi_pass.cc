#include "data/exec/multi_pass.h"

namespace strata::data {

std::map<std::string, MultiPassRunner>& MultiPassRunners() {
  static std::map<std::string, MultiPassRunner> runners;
  return runners;
}

}  // namespace strata::data
