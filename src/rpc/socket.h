// Stream sockets by address: "host:port" (TCP), "unix:/path" (Unix domain) or
// "unix:@name" (Linux abstract Unix socket: no file).
#pragma once

#include <string>

#include "common/status.h"

namespace strata::rpc {

// Listens on `address` (TCP port 0 picks a free port). Returns the fd;
// `bound` receives the address actually bound.
Result<int> ListenOn(const std::string& address, std::string* bound);
// Connects, retrying refused connections until `timeout_ms` passes. Returns a
// blocking fd, or an error naming the address and the reason.
Result<int> ConnectTo(const std::string& address, int timeout_ms);

void SetNonBlocking(int fd);
// Writes all bytes (blocking fd). False on error (peer gone).
bool WriteAll(int fd, const char* data, size_t size);

}  // namespace strata::rpc
