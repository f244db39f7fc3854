#include "dashboard/node_logs.h"

#include <unistd.h>

#include "rpc/channel.h"
#include "rpc/framing.h"

namespace strata::dashboard {

namespace {
constexpr int kTimeoutMs = 5000;
}  // namespace

bool FetchNodeLog(const std::string& address, const std::string& token, const rpc::LogRequest& request,
                  rpc::LogReply* reply, std::string* error) {
  rpc::Channel channel;
  rpc::Hello hello;
  hello.role = rpc::Role::kCli;
  hello.pid = getpid();
  hello.token = token;
  if (Status s = channel.ConnectAndGreet(address, hello, kTimeoutMs, kTimeoutMs); !s.ok()) {
    *error = s.message();
    return false;
  }
  rpc::MsgType type = rpc::MsgType::kError;
  std::string body;
  const Status read = channel.SendNow(rpc::MsgType::kLogRequest, request) ? channel.ReadFrame(&type, &body, kTimeoutMs)
                                                                         : Unavailable("cannot send the request");
  if (!read.ok() || type != rpc::MsgType::kLogReply) {
    *error = "no logs from " + address + (read.ok() ? "" : ": " + read.message());
    return false;
  }
  if (Status s = rpc::DecodeBody(body.data(), body.size(), reply); !s.ok()) {
    *error = "malformed log reply from " + address + ": " + s.message();
    return false;
  }
  return true;
}

}  // namespace strata::dashboard
