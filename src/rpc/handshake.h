// A blocking Hello/Welcome exchange on a freshly connected socket, before the
// socket joins an event loop (a node agent joining its head).
#pragma once

#include <string>

#include "rpc/messages.h"

namespace strata::rpc {

// Returns false with `error` set: no answer, refused (the head's reason), or
// not a Welcome.
bool Handshake(int fd, const Hello& hello, Welcome* welcome, int timeout_ms, std::string* error);

}  // namespace strata::rpc
