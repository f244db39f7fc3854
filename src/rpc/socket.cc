#include "rpc/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <chrono>
#include <cstring>
#include <thread>

namespace strata::rpc {

namespace {

bool ParseHostPort(const std::string& address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 >= address.size()) return false;
  *host = address.substr(0, colon);
  if (host->empty()) *host = "0.0.0.0";
  try {
    size_t used = 0;
    *port = std::stoi(address.substr(colon + 1), &used);
    return used == address.size() - colon - 1 && *port >= 0 && *port <= 65535;
  } catch (const std::exception&) {
    return false;
  }
}

bool IsUnix(const std::string& a) { return a.rfind("unix:", 0) == 0; }

// "@name" is a Linux abstract socket: no file, so no path-length limit from
// deep directories and nothing to clean up.
Status MakeUnixAddr(const std::string& path, sockaddr_un* sa, socklen_t* len) {
  std::memset(sa, 0, sizeof(*sa));
  sa->sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa->sun_path)) {
    return InvalidArgument("unix socket path too long: " + path);
  }
  std::memcpy(sa->sun_path, path.c_str(), path.size());
  if (!path.empty() && path[0] == '@') sa->sun_path[0] = '\0';
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                (path[0] == '@' ? 0 : 1));
  return OkStatus();
}

Status ResolveTcp(const std::string& host, int port, sockaddr_in* sa) {
  std::memset(sa, 0, sizeof(*sa));
  sa->sin_family = AF_INET;
  sa->sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &sa->sin_addr) == 1) return OkStatus();
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
    return Unavailable("cannot resolve host '" + host + "'");
  }
  sa->sin_addr = reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr;
  freeaddrinfo(res);
  return OkStatus();
}

}  // namespace

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

Result<int> ListenOn(const std::string& address, std::string* bound) {
  if (IsUnix(address)) {
    const std::string path = address.substr(5);
    sockaddr_un sa;
    socklen_t len = 0;
    STRATA_RETURN_IF_ERROR(MakeUnixAddr(path, &sa, &len));
    if (path[0] != '@') unlink(path.c_str());
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 ||
        listen(fd, 512) != 0) {
      const Status failed = Unavailable("cannot listen on " + address + ": " + std::strerror(errno));
      if (fd >= 0) close(fd);
      return failed;
    }
    *bound = address;
    return fd;
  }
  std::string host;
  int port = 0;
  if (!ParseHostPort(address, &host, &port)) {
    return InvalidArgument("bad address '" + address + "' (expected host:port)");
  }
  sockaddr_in sa;
  STRATA_RETURN_IF_ERROR(ResolveTcp(host, port, &sa));
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(fd, 512) != 0) {
    const Status failed = Unavailable("cannot listen on " + address + ": " + std::strerror(errno));
    close(fd);
    return failed;
  }
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  char ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
  *bound = std::string(ip) + ":" + std::to_string(ntohs(sa.sin_port));
  return fd;
}

Result<int> ConnectTo(const std::string& address, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int fd = -1;
    int rc = -1;
    if (IsUnix(address)) {
      sockaddr_un sa;
      socklen_t len = 0;
      STRATA_RETURN_IF_ERROR(MakeUnixAddr(address.substr(5), &sa, &len));
      fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      rc = connect(fd, reinterpret_cast<sockaddr*>(&sa), len);
    } else {
      std::string host;
      int port = 0;
      if (!ParseHostPort(address, &host, &port) || port == 0) {
        return InvalidArgument("bad address '" + address + "' (expected host:port)");
      }
      sockaddr_in sa;
      STRATA_RETURN_IF_ERROR(ResolveTcp(host, port, &sa));
      fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      rc = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    }
    if (rc == 0) return fd;
    const int err = errno;
    close(fd);
    const bool retry = err == ECONNREFUSED || err == ENOENT || err == EAGAIN || err == EINTR;
    if (!retry || std::chrono::steady_clock::now() >= deadline) {
      return Unavailable("cannot connect to " + address + ": " + std::strerror(err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace strata::rpc
