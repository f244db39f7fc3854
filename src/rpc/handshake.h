// A blocking Hello/Welcome exchange on a freshly connected socket, before the
// socket joins an event loop (a node agent joining its head).
#pragma once

#include <string>

#include "common/status.h"
#include "rpc/messages.h"

namespace strata::rpc {

// The Welcome, or why not: no answer, refused (the head's reason), or not a
// Welcome.
Result<Welcome> Handshake(int fd, const Hello& hello, int timeout_ms);

}  // namespace strata::rpc
