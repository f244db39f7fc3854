#include "head/job_manager.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/binary_files.h"
#include "common/session.h"
#include "process/spawn.h"
#include "strata/internal/ids.h"

namespace strata::head {

namespace {
constexpr auto kStopGrace = std::chrono::seconds(5);  // then SIGKILL
constexpr uint64_t kMaxLogReplyBytes = 16u << 20;     // `logs` sends at most the last 16 MiB

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

rpc::JobReply Fail(std::string error) {
  rpc::JobReply r;
  r.error = std::move(error);
  return r;
}
}  // namespace

JobManager::JobManager(JobManagerOptions options, rpc::EventLoop* loop,
                       process::BinaryStore* binaries)
    : options_(std::move(options)), loop_(loop), binaries_(binaries), outputs_(loop) {}

JobManager::~JobManager() {
  for (auto& [id, job] : jobs_) {
    if (!job.exited && job.pid > 0) {
      kill(-job.pid, SIGKILL);
      process::ReapWithin(job.pid, 1000);
    }
  }
}

void JobManager::OnRequest(rpc::ConnId conn, const rpc::JobRequest& request) {
  rpc::JobReply reply;
  if (request.verb == "submit") {
    reply = Submit(conn, request);
  } else if (request.verb == "list") {
    reply = List();
  } else if (request.verb == "logs") {
    reply = Logs(conn, request);
  } else if (request.verb == "stop") {
    reply = Stop(request);
  } else {
    reply = Fail("unknown job request '" + request.verb + "' (submit, list, logs or stop)");
  }
  loop_->Send(conn, rpc::MsgType::kJobReply, reply);
}

rpc::JobReply JobManager::Submit(rpc::ConnId conn, const rpc::JobRequest& request) {
  if (request.binaries.empty() || request.argv.empty()) {
    return Fail("a job needs a program and its command line");
  }
  rpc::JobReply reply;
  for (const rpc::JobBinary& b : request.binaries) {
    if (!IsValidSha256Hex(b.sha256)) return Fail("'" + b.sha256 + "' is not a SHA-256");
    if (binaries_->Find(b.sha256).empty()) reply.missing.push_back(b.sha256);
  }
  if (!reply.missing.empty()) {
    reply.ok = true;  // not yet: upload these, then ask again
    return reply;
  }
  std::string program;
  std::string extras;
  for (const rpc::JobBinary& b : request.binaries) {
    const std::string path = binaries_->Find(b.sha256);
    const Result<std::string> arch = ElfArchOf(path);
    if (!arch.ok() || *arch != b.arch) {
      return Fail("the program given for " + b.arch + " is " +
                  (!arch.ok() ? "not usable: " + arch.status().message() : "built for " + *arch));
    }
    if (b.arch == options_.arch && program.empty()) {
      program = path;
    } else {
      extras += (extras.empty() ? "" : ",") + b.arch + "=" + path;
    }
  }
  if (program.empty()) {
    return Fail("the driver runs on the head, which is " + options_.arch +
                ", and no program for " + options_.arch + " was given");
  }
  Job job;
  do {
    job.id = rpc::SubmittedJobId{"job-" + NewClusterToken().substr(0, 8)};
  } while (jobs_.count(job.id) != 0);
  job.argv = request.argv;
  job.dir = options_.session_dir + "/jobs/" + job.id.value;
  std::error_code ec;
  std::filesystem::create_directories(job.dir, ec);
  if (ec) return Fail("cannot create " + job.dir + ": " + ec.message());
  std::vector<std::string> env = process::InheritedEnvironment();
  for (const std::string& kv : request.env) {
    if (kv.find('=') == std::string::npos || kv.rfind("STRATA_", 0) == 0) {
      return Fail("--env '" + kv + "' must be KEY=VALUE, and not a STRATA_ variable");
    }
    env.push_back(kv);
  }
  env.push_back("STRATA_ADDRESS=" + options_.head_address);
  env.push_back("STRATA_TOKEN=" + options_.token);
  env.push_back("STRATA_SUBMITTED_JOB=" + job.id.value);
  if (!extras.empty()) env.push_back("STRATA_JOB_BINARIES=" + extras);
  int output_fd = -1;
  const Result<pid_t> spawned = process::SpawnWithOutput(program, job.argv, std::move(env), job.dir, &output_fd);
  if (!spawned.ok()) return Fail("cannot start " + job.argv[0] + ": " + spawned.status().message());
  job.pid = *spawned;
  job.start_ms = NowMs();
  if (request.follow) job.followers.push_back(conn);
  const rpc::SubmittedJobId id = job.id;
  jobs_.emplace(id, std::move(job));
  Job& stored = jobs_.at(id);
  outputs_.Add(
      output_fd, LogPath(stored), stored.pid,
      [this, id](const rpc::LogLines& lines) {
        for (rpc::ConnId f : jobs_.at(id).followers) {
          if (loop_->IsOpen(f)) loop_->Send(f, rpc::MsgType::kLogLines, lines);
        }
      },
      [this, id] {
        Job& j = jobs_.at(id);
        j.output_closed = true;
        MaybeFinish(j);
      });
  spdlog::info("job {} started (pid {}): {}", id.value, stored.pid, stored.argv[0]);
  reply.ok = true;
  reply.job = id;
  reply.state = stored.state;
  return reply;
}

rpc::JobReply JobManager::List() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [id, job] : jobs_) {
    std::string entrypoint;
    for (const std::string& a : job.argv) entrypoint += (entrypoint.empty() ? "" : " ") + a;
    list.push_back({{"id", id.value},
                    {"state", rpc::JobStateName(job.state)},
                    {"entrypoint", entrypoint},
                    {"pid", job.pid},
                    {"start_time_ms", job.start_ms},
                    {"end_time_ms", job.end_ms},
                    {"exit", job.exit_description},
                    {"log", LogPath(job)}});
  }
  rpc::JobReply reply;
  reply.ok = true;
  reply.text = list.dump();
  return reply;
}

JobManager::Job* JobManager::Find(const rpc::SubmittedJobId& id, rpc::JobReply* reply) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    *reply = Fail("no job '" + id.value + "' (see `strata job list`)");
    return nullptr;
  }
  reply->ok = true;
  reply->job = id;
  reply->state = it->second.state;
  return &it->second;
}

rpc::JobReply JobManager::Logs(rpc::ConnId conn, const rpc::JobRequest& request) {
  rpc::JobReply reply;
  Job* found = Find(request.job, &reply);
  if (found == nullptr) return reply;
  Job& job = *found;
  std::ifstream in(LogPath(job), std::ios::binary | std::ios::ate);
  if (in) {
    const auto size = static_cast<uint64_t>(in.tellg());
    const uint64_t from = size > kMaxLogReplyBytes ? size - kMaxLogReplyBytes : 0;
    in.seekg(static_cast<std::streamoff>(from));
    std::ostringstream text;
    text << in.rdbuf();
    reply.text = text.str();
  }
  reply.finished = job.state != rpc::JobState::kRunning;
  reply.exit_code = job.exit_code;
  if (request.follow && !reply.finished) job.followers.push_back(conn);
  return reply;
}

rpc::JobReply JobManager::Stop(const rpc::JobRequest& request) {
  rpc::JobReply reply;
  Job* found = Find(request.job, &reply);
  if (found == nullptr) return reply;
  Job& job = *found;
  if (job.state != rpc::JobState::kRunning) {
    reply.text = "job " + job.id.value + " already ended: " + rpc::JobStateName(job.state);
    return reply;
  }
  job.stop_requested = true;
  job.stop_sent = std::chrono::steady_clock::now();
  kill(-job.pid, SIGTERM);
  reply.text = "stopping job " + job.id.value + " (SIGTERM; SIGKILL after 5 s)";
  spdlog::info("{}", reply.text);
  return reply;
}

void JobManager::Tick() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [id, job] : jobs_) {
    if (job.exited) continue;
    const process::ExitInfo e = process::PollExit(job.pid);
    if (e.exited) {
      job.exited = true;
      job.exit_description = e.description;
      job.exit_code = e.description == "exit code 0" ? 0 : 1;
      if (e.description.rfind("exit code ", 0) == 0) {
        job.exit_code = std::stoi(e.description.substr(10));
      }
      // Anything its children still hold open must not keep the job running.
      kill(-job.pid, SIGKILL);
      MaybeFinish(job);
    } else if (job.stop_requested && now - job.stop_sent > kStopGrace) {
      kill(-job.pid, SIGKILL);
    }
  }
}

void JobManager::MaybeFinish(Job& job) {
  if (!job.exited || !job.output_closed || job.state != rpc::JobState::kRunning) return;
  job.state = job.stop_requested ? rpc::JobState::kStopped
              : job.exit_code == 0 ? rpc::JobState::kSucceeded
                                   : rpc::JobState::kFailed;
  job.end_ms = NowMs();
  spdlog::info("job {} {} ({})", job.id.value, rpc::JobStateName(job.state), job.exit_description);
  rpc::JobReply end;
  end.ok = true;
  end.job = job.id;
  end.finished = true;
  end.state = job.state;
  end.exit_code = job.exit_code;
  end.text = job.exit_description;
  for (rpc::ConnId f : job.followers) {
    if (loop_->IsOpen(f)) loop_->Send(f, rpc::MsgType::kJobReply, end);
  }
  job.followers.clear();
}

void JobManager::OnDisconnect(rpc::ConnId conn) {
  for (auto& [id, job] : jobs_) std::erase(job.followers, conn);
}

}  // namespace strata::head
