#include "rpc/handshake.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rpc/framing.h"
#include "rpc/socket.h"

namespace strata::rpc {

bool Handshake(int fd, const Hello& hello, Welcome* welcome, int timeout_ms, std::string* error) {
  std::string out;
  AppendFrame(&out, MsgType::kHello, hello);
  if (!WriteAll(fd, out.data(), out.size())) {
    *error = std::string("cannot send Hello: ") + std::strerror(errno);
    return false;
  }
  std::string in;
  FrameReader reader;
  for (;;) {
    MsgType type;
    const char* body;
    size_t body_size, frame_size;
    auto r = reader.Next(in.data(), in.size(), &type, &body, &body_size, &frame_size, error);
    if (r == FrameReader::Result::kCorrupt) return false;
    if (r == FrameReader::Result::kFrame) {
      if (type == MsgType::kError) {
        std::string why;
        DecodeBody(body, body_size, &why, error);
        *error = "refused: " + why;
        return false;
      }
      if (type != MsgType::kWelcome) {
        *error = std::string("expected Welcome, got ") + MsgTypeName(type);
        return false;
      }
      return DecodeBody(body, body_size, welcome, error);
    }
    pollfd p{fd, POLLIN, 0};
    const int pr = poll(&p, 1, timeout_ms);
    if (pr == 0) {
      *error = "no answer within " + std::to_string(timeout_ms) + " ms";
      return false;
    }
    if (pr < 0 && errno == EINTR) continue;
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
      *error = n == 0 ? "connection closed" : std::strerror(errno);
      return false;
    }
    in.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace strata::rpc
