// A machine as its provider names it ("i-0abc..." on EC2, "local-worker-1a2b"
// for the local provider).
#pragma once

#include "common/text_id.h"

namespace strata {

using InstanceId = TextId<struct InstanceIdTag>;

}  // namespace strata
