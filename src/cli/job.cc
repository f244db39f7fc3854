// `strata job submit|list|logs|stop`: run a driver on the cluster's head,
// uploading its program (by content: an unchanged program is not sent twice),
// and follow what it prints.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/binary_files.h"
#include "process/binary_store.h"

namespace strata::cli {

namespace {

bool Describe(const std::string& path, const std::string& want_arch, rpc::JobBinary* out,
              std::string* error) {
  const Result<std::string> arch = ElfArchOf(path);
  if (!arch.ok()) return (*error = arch.status().message(), false);
  out->arch = *arch;
  if (!want_arch.empty() && out->arch != want_arch) {
    *error = path + " is built for " + out->arch + ", not " + want_arch;
    return false;
  }
  const Result<std::string> sha = Sha256OfFile(path);
  if (!sha.ok()) return (*error = sha.status().message(), false);
  out->sha256 = *sha;
  out->size = std::filesystem::file_size(path);
  return true;
}

bool Upload(rpc::Channel& channel, const std::string& path, const rpc::JobBinary& b,
            std::string* error) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  rpc::BinaryChunk chunk;
  chunk.sha256 = b.sha256;
  chunk.total = b.size;
  bool ok = true;
  while (ok && chunk.offset < b.size) {
    chunk.data.resize(std::min<uint64_t>(process::BinaryStore::kChunkBytes, b.size - chunk.offset));
    ok = pread(fd, chunk.data.data(), chunk.data.size(), static_cast<off_t>(chunk.offset)) ==
         static_cast<ssize_t>(chunk.data.size());
    if (!ok) *error = "cannot read " + path + ": " + std::strerror(errno);
    if (ok && !channel.SendNow(rpc::MsgType::kBinaryChunk, chunk)) {
      ok = false;
      *error = "the connection closed during the upload";
    }
    chunk.offset += chunk.data.size();
  }
  close(fd);
  return ok;
}

// Sends a request and reads frames until its JobReply; LogLines on the way
// are printed.
bool Ask(rpc::Channel& channel, const rpc::JobRequest& request, rpc::JobReply* reply,
         const char* command) {
  if (!channel.SendNow(rpc::MsgType::kJobRequest, request)) {
    std::fprintf(stderr, "strata job %s: the connection closed\n", command);
    return false;
  }
  for (;;) {
    rpc::MsgType type = rpc::MsgType::kError;
    std::string body;
    if (Status s = channel.ReadFrame(&type, &body, -1); !s.ok()) {
      std::fprintf(stderr, "strata job %s: %s\n", command, s.message().c_str());
      return false;
    }
    if (type == rpc::MsgType::kError) {
      std::fprintf(stderr, "strata job %s: refused: %s\n", command, rpc::ErrorReason(body.data(), body.size()).c_str());
      return false;
    }
    if (type == rpc::MsgType::kJobReply && rpc::DecodeBody(body.data(), body.size(), reply).ok()) {
      if (!reply->ok) std::fprintf(stderr, "strata job %s: %s\n", command, reply->error.c_str());
      return reply->ok;
    }
    std::fprintf(stderr, "strata job %s: unexpected %s message\n", command,
                 rpc::MsgTypeName(type));
    return false;
  }
}

// Prints the job's output until it ends; returns its exit code.
int Follow(rpc::Channel& channel, const std::string& job) {
  for (;;) {
    rpc::MsgType type = rpc::MsgType::kError;
    std::string body;
    if (Status s = channel.ReadFrame(&type, &body, -1); !s.ok()) {
      std::fprintf(stderr, "strata job: lost the head while following %s: %s\n", job.c_str(),
                   s.message().c_str());
      return 1;
    }
    if (type == rpc::MsgType::kLogLines) {
      rpc::LogLines lines;
      if (!rpc::DecodeBody(body.data(), body.size(), &lines).ok()) continue;
      for (const std::string& l : lines.lines) std::printf("%s\n", l.c_str());
      std::fflush(stdout);
    } else if (type == rpc::MsgType::kJobReply) {
      rpc::JobReply end;
      if (!rpc::DecodeBody(body.data(), body.size(), &end).ok() || !end.finished) continue;
      std::fprintf(stderr, "job %s %s (%s)\n", job.c_str(), rpc::JobStateName(end.state), end.text.c_str());
      return end.state == rpc::JobState::kSucceeded ? 0 : (end.exit_code != 0 ? end.exit_code : 1);
    }
  }
}

bool Connect(const std::string& address_flag, const std::string& token, const char* command,
             rpc::Channel* channel) {
  const std::string address = ResolveAddress(address_flag);
  if (address.empty()) {
    std::fprintf(stderr,
                 "strata job %s: no cluster found. Pass --address HOST:PORT (or set "
                 "STRATA_ADDRESS), or start one with `strata start --head`.\n",
                 command);
    return false;
  }
  const std::string what = std::string("job ") + command;
  return ConnectAsCli(address, token, what.c_str(), channel);
}

}  // namespace

int RunJobSubmit(const JobSubmitFlags& flags) {
  if (flags.command.empty()) {
    std::fprintf(stderr, "strata job submit: give the program after --: "
                         "strata job submit -- ./my_job ARGS\n");
    return 2;
  }
  std::vector<std::string> paths;
  rpc::JobRequest request;
  request.verb = "submit";
  request.argv = flags.command;
  request.env = flags.env;
  request.follow = !flags.no_wait;
  std::string error;
  rpc::JobBinary own;
  if (!Describe(flags.command[0], "", &own, &error)) {
    std::fprintf(stderr, "strata job submit: %s\n", error.c_str());
    return 2;
  }
  request.binaries.push_back(own);
  paths.push_back(flags.command[0]);
  for (const std::string& spec : flags.binaries) {
    const size_t eq = spec.find('=');
    rpc::JobBinary b;
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      std::fprintf(stderr, "strata job submit: --binary '%s' is not ARCH=PATH\n", spec.c_str());
      return 2;
    }
    if (!Describe(spec.substr(eq + 1), spec.substr(0, eq), &b, &error)) {
      std::fprintf(stderr, "strata job submit: --binary %s: %s\n", spec.c_str(), error.c_str());
      return 2;
    }
    request.binaries.push_back(b);
    paths.push_back(spec.substr(eq + 1));
  }
  rpc::Channel channel;
  if (!Connect(flags.address, flags.token, "submit", &channel)) return 1;
  rpc::JobReply reply;
  if (!Ask(channel, request, &reply, "submit")) return 1;
  if (!reply.missing.empty()) {
    uint64_t sent = 0;
    for (size_t i = 0; i < request.binaries.size(); ++i) {
      const rpc::JobBinary& b = request.binaries[i];
      if (std::find(reply.missing.begin(), reply.missing.end(), b.sha256) == reply.missing.end()) {
        continue;
      }
      if (!Upload(channel, paths[i], b, &error)) {
        std::fprintf(stderr, "strata job submit: upload of %s failed: %s\n", paths[i].c_str(),
                     error.c_str());
        return 1;
      }
      sent += b.size;
    }
    std::fprintf(stderr, "uploaded %.1f MB\n", static_cast<double>(sent) / 1e6);
    if (!Ask(channel, request, &reply, "submit")) return 1;
    if (!reply.missing.empty()) {
      std::fprintf(stderr, "strata job submit: the head did not keep the upload\n");
      return 1;
    }
  } else {
    std::fprintf(stderr, "program already on the cluster (sha256 %s)\n",
                 own.sha256.substr(0, 12).c_str());
  }
  std::fprintf(stderr, "submitted %s\n", reply.job.value.c_str());
  if (flags.no_wait) {
    std::printf("%s\n", reply.job.value.c_str());
    std::fprintf(stderr, "follow it with `strata job logs --follow %s`\n", reply.job.value.c_str());
    return 0;
  }
  return Follow(channel, reply.job.value);
}

int RunJobList(const std::string& address, const std::string& token, bool json) {
  rpc::Channel channel;
  if (!Connect(address, token, "list", &channel)) return 1;
  rpc::JobRequest request;
  request.verb = "list";
  rpc::JobReply reply;
  if (!Ask(channel, request, &reply, "list")) return 1;
  if (json) {
    std::printf("%s\n", reply.text.c_str());
    return 0;
  }
  const nlohmann::json list = nlohmann::json::parse(reply.text, nullptr, false);
  std::printf("%-14s %-10s %-20s %s\n", "JOB", "STATE", "STARTED", "ENTRYPOINT");
  for (const auto& j : list) {
    const std::time_t start = j.value("start_time_ms", int64_t{0}) / 1000;
    char when[32] = "";
    std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", std::localtime(&start));
    std::printf("%-14s %-10s %-20s %s\n", j.value("id", "").c_str(), j.value("state", "").c_str(),
                when, j.value("entrypoint", "").c_str());
  }
  return 0;
}

int RunJobLogs(const std::string& job, bool follow, const std::string& address,
               const std::string& token) {
  rpc::Channel channel;
  if (!Connect(address, token, "logs", &channel)) return 1;
  rpc::JobRequest request;
  request.verb = "logs";
  request.job = rpc::SubmittedJobId{job};
  request.follow = follow;
  rpc::JobReply reply;
  if (!Ask(channel, request, &reply, "logs")) return 1;
  std::fwrite(reply.text.data(), 1, reply.text.size(), stdout);
  std::fflush(stdout);
  if (!follow || reply.finished) return 0;
  return Follow(channel, job);
}

int RunJobStop(const std::string& job, const std::string& address, const std::string& token) {
  rpc::Channel channel;
  if (!Connect(address, token, "stop", &channel)) return 1;
  rpc::JobRequest request;
  request.verb = "stop";
  request.job = rpc::SubmittedJobId{job};
  rpc::JobReply reply;
  if (!Ask(channel, request, &reply, "stop")) return 1;
  std::printf("%s\n", reply.text.c_str());
  return 0;
}

}  // namespace strata::cli
