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
  std::string body;
  STRATA_RETURN_IF_ERROR(channel.Request(rpc::MsgType::kLogRequest, request, rpc::MsgType::kLogReply, &body, kTimeoutMs)
                             .WithContext("no logs from " + address + ": "));
  rpc::LogReply reply;
  STRATA_RETURN_IF_ERROR(
      rpc::DecodeBody(body.data(), body.size(), &reply).WithContext("malformed log reply from " + address + ": "));
  return reply;
}

}  // namespace strata::dashboard
