#include "dashboard/node_logs.h"

#include <unistd.h>

#include "rpc/channel.h"
#include "rpc/framing.h"

namespace strata::dashboard {

namespace {
constexpr int kTimeoutMs = 5000;
}  // namespace

Result<rpc::LogReply> FetchNodeLog(const std::string& address, const std::string& token,
                                   const rpc::LogRequest& request) {
  rpc::Channel channel;
  rpc::Hello hello;
  hello.role = rpc::Role::kCli;
  hello.pid = getpid();
  hello.token = token;
  STRATA_RETURN_IF_ERROR(channel.ConnectAndGreet(address, hello, kTimeoutMs, kTimeoutMs));
  rpc::MsgType type = rpc::MsgType::kError;
  std::string body;
  if (!channel.SendNow(rpc::MsgType::kLogRequest, request)) return Unavailable("no logs from " + address);
  STRATA_RETURN_IF_ERROR(channel.ReadFrame(&type, &body, kTimeoutMs).WithContext("no logs from " + address + ": "));
  if (type != rpc::MsgType::kLogReply) return DataLoss("no logs from " + address);
  rpc::LogReply reply;
  STRATA_RETURN_IF_ERROR(
      rpc::DecodeBody(body.data(), body.size(), &reply).WithContext("malformed log reply from " + address + ": "));
  return reply;
}

}  // namespace strata::dashboard
