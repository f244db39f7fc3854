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
  if (!channel.ConnectAndGreet(address, hello, kTimeoutMs, kTimeoutMs, error)) return false;
  rpc::MsgType type = rpc::MsgType::kError;
  std::string body;
  if (!channel.SendNow(rpc::MsgType::kLogRequest, request) || !channel.ReadFrame(&type, &body, kTimeoutMs, error) ||
      type != rpc::MsgType::kLogReply) {
    *error = "no logs from " + address + (error->empty() ? "" : ": " + *error);
    return false;
  }
  if (!rpc::DecodeBody(body.data(), body.size(), reply, error)) {
    *error = "malformed log reply from " + address + ": " + *error;
    return false;
  }
  return true;
}

}  // namespace strata::dashboard
