// The Arrow C data interface export is public: see include/strata/arrow.h.
#pragma once

#include <strata/arrow.h>
