#include "rpc/handshake.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rpc/framing.h"
#include "rpc/socket.h"

namespace strata::rpc {

Result<Welcome> Handshake(int fd, const Hello& hello, int timeout_ms) {
  std::string out;
  AppendFrame(&out, MsgType::kHello, hello);
  if (!WriteAll(fd, out.data(), out.size())) return Unavailable(std::string("cannot send Hello: ") + std::strerror(errno));
  std::string in;
  FrameReader reader;
  for (;;) {
    MsgType type;
    const char* body;
    size_t body_size, frame_size;
    std::string corrupt;
    auto r = reader.Next(in.data(), in.size(), &type, &body, &body_size, &frame_size, &corrupt);
    if (r == FrameReader::Result::kCorrupt) return DataLoss(corrupt);
    if (r == FrameReader::Result::kFrame) {
      if (type == MsgType::kError) return FailedPrecondition("refused: " + ErrorReason(body, body_size));
      if (type != MsgType::kWelcome) return DataLoss(std::string("expected Welcome, got ") + MsgTypeName(type));
      Welcome welcome;
      STRATA_RETURN_IF_ERROR(DecodeBody(body, body_size, &welcome));
      return welcome;
    }
    pollfd p{fd, POLLIN, 0};
    const int pr = poll(&p, 1, timeout_ms);
    if (pr == 0) return DeadlineExceeded("no answer within " + std::to_string(timeout_ms) + " ms");
    if (pr < 0 && errno == EINTR) continue;
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) return Unavailable(n == 0 ? "connection closed" : std::strerror(errno));
    in.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace strata::rpc
