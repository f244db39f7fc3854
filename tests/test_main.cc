// main() for test binaries that run Strata tasks. The node agent starts
// workers by re-running this executable; they must become workers before
// GoogleTest runs anything.
#include <cstdlib>

#include <gtest/gtest.h>

#include "strata/strata.h"

int main(int argc, char** argv) {
  if (std::getenv("STRATA_WORKER_MODE") != nullptr) strata::Init();  // never returns
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
