// Lets a program that links more than libstrata add to the embedded cluster a
// driver starts when no address is given: `strata run --dashboard` serves the
// dashboard from it (libstrata itself does not link the dashboard).
#pragma once

#include <functional>

#include "node/agent.h"

namespace strata::client {

// Called with the embedded agent's options before it starts (once per
// Init() that starts one). Set before Init(); an empty function removes it.
using EmbeddedAgentHook = std::function<void(node::AgentOptions* options)>;
void SetEmbeddedAgentHook(EmbeddedAgentHook hook);

}  // namespace strata::client
