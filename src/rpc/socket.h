// Stream sockets by address: "host:port" (TCP), "unix:/path" (Unix domain) or
// "unix:@name" (Linux abstract Unix socket: no file).
#pragma once

#include <string>

namespace strata::rpc {

// Listens on `address` (TCP port 0 picks a free port). Returns the fd, or -1
// with `error` set. `bound` receives the address actually bound.
int ListenOn(const std::string& address, std::string* bound, std::string* error);
// Connects, retrying refused connections until `timeout_ms` passes. Returns a
// blocking fd, or -1 with `error` naming the address and the reason.
int ConnectTo(const std::string& address, int timeout_ms, std::string* error);

void SetNonBlocking(int fd);
// Writes all bytes (blocking fd). False on error (peer gone).
bool WriteAll(int fd, const char* data, size_t size);

}  // namespace strata::rpc
