#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/session.h"
#include "head/status_report.h"
#include "rpc/channel.h"

namespace strata::cli {

std::string ResolveAddress(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("STRATA_ADDRESS"); env != nullptr && *env != '\0') return env;
  if (auto record = ReadLiveClusterRecord()) return record->address;
  return "";
}

std::string ResolveToken(const std::string& flag, const std::string& address) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("STRATA_TOKEN"); env != nullptr && *env != '\0') return env;
  if (auto record = ReadLiveClusterRecord(); record && record->address == address) {
    return record->token;
  }
  return "";
}

bool ConnectAsCli(const std::string& address, const std::string& token_flag, const char* command,
                  rpc::Channel* channel) {
  rpc::Hello hello;
  hello.role = rpc::Role::kCli;
  hello.pid = getpid();
  hello.token = ResolveToken(token_flag, address);
  if (Status s = channel->ConnectAndGreet(address, hello, 2000, 5000); !s.ok()) {
    std::fprintf(stderr, "strata %s: %s\n", command, s.message().c_str());
    return false;
  }
  return true;
}

// One status from the head over `channel`.
Result<rpc::ClusterStatus> FetchStatus(rpc::Channel* channel, const std::string& address) {
  std::string body;
  STRATA_RETURN_IF_ERROR(channel->Request(rpc::MsgType::kStatusRequest, std::string(), rpc::MsgType::kStatusReply, &body, 5000)
                             .WithContext("no status from " + address + ": "));
  rpc::ClusterStatus status;
  STRATA_RETURN_IF_ERROR(
      rpc::DecodeBody(body.data(), body.size(), &status).WithContext("malformed reply from " + address + ": "));
  return status;
}

int RunStatus(const std::string& flag, const std::string& token_flag, bool json, double watch_s) {
  const std::string address = ResolveAddress(flag);
  if (address.empty()) {
    std::fprintf(stderr,
                 "strata status: no running cluster found. Start one with `strata start --head`, "
                 "or pass --address HOST:PORT (or set STRATA_ADDRESS).\n");
    return 1;
  }
  rpc::Channel channel;
  if (!ConnectAsCli(address, token_flag, "status", &channel)) return 1;
  if (watch_s <= 0) {
    const Result<rpc::ClusterStatus> fetched = FetchStatus(&channel, address);
    if (!fetched.ok()) {
      std::fprintf(stderr, "strata status: %s\n", fetched.status().message().c_str());
      return 1;
    }
    const rpc::ClusterStatus& status = *fetched;
    if (json) {
      std::printf("%s\n", head::StatusJson(status).dump(2).c_str());
    } else {
      std::printf("%s", head::RenderStatusText(status).c_str());
      if (auto record = ReadLiveClusterRecord(); record && record->address == address && !record->dashboard_url.empty()) {
        std::printf("Dashboard: %s\n", record->dashboard_url.c_str());
      }
    }
    return 0;
  }
  // --watch: redraw in place (like `watch -n 1 strata status`) until Ctrl-C
  // or the head goes away.
  while (true) {
    const Result<rpc::ClusterStatus> fetched = FetchStatus(&channel, address);
    if (!fetched.ok()) {
      std::fprintf(stderr, "\nstrata status --watch: %s\n", fetched.status().message().c_str());
      return 1;
    }
    const rpc::ClusterStatus& status = *fetched;
    const std::string text = json ? head::StatusJson(status).dump(2) + "\n" : head::RenderStatusText(status);
    std::printf("\x1b[H\x1b[2J%sEvery %.1f s from %s; Ctrl-C stops.\n", text.c_str(), watch_s, address.c_str());
    std::fflush(stdout);
    usleep(static_cast<useconds_t>(watch_s * 1e6));
  }
}

}  // namespace strata::cli

namespace strata::cli {

int RunDrain(const std::string& node_hex, double deadline_s, const std::string& flag,
             const std::string& token_flag) {
  const NodeId node = NodeId::FromHex(node_hex);
  if (node.IsNil()) {
    std::fprintf(stderr, "strata drain: '%s' is not a node id (32 hex digits, as `strata status "
                         "--json` shows)\n", node_hex.c_str());
    return 2;
  }
  const std::string address = ResolveAddress(flag);
  if (address.empty()) {
    std::fprintf(stderr, "strata drain: no running cluster found; pass --address HOST:PORT\n");
    return 1;
  }
  rpc::Channel channel;
  if (!ConnectAsCli(address, token_flag, "drain", &channel)) return 1;
  std::string error;
  rpc::MsgType type = rpc::MsgType::kError;
  std::string body, reply;
  const Status read = channel.SendNow(rpc::MsgType::kDrainNode, rpc::DrainRequest{node, deadline_s})
                          ? channel.ReadFrame(&type, &body, 5000)
                          : Unavailable("cannot send the request");
  const bool ok = read.ok();
  error = read.message();
  // A DrainReply and an Error both carry text: the answer, or the refusal.
  if (ok) {
    if (Status s = rpc::DecodeBody(body.data(), body.size(), &reply); !s.ok()) error = s.message();
  }
  if (!ok || type != rpc::MsgType::kDrainReply || reply.rfind("error: ", 0) == 0) {
    std::fprintf(stderr, "strata drain: %s\n",
                 !reply.empty() ? reply.c_str() : (error.empty() ? "refused" : error.c_str()));
    return 1;
  }
  std::printf("%s\n", reply.c_str());
  return 0;
}

}  // namespace strata::cli
