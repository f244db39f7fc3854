// Jobs submitted with `strata job submit`: the head keeps the uploaded
// program by content (process::BinaryStore), runs it as a driver of this cluster in its
// own directory, keeps everything it prints in <session>/jobs/<id>/driver.log,
// and streams new lines to the CLIs that follow it. `list`, `logs` and `stop`
// answer from here.
//
// Thread-safety: not thread-safe; runs on the head agent's event loop thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process/binary_store.h"
#include "process/output_lines.h"
#include "rpc/event_loop.h"
#include "rpc/messages.h"

namespace strata::head {

struct JobManagerOptions {
  std::string session_dir;
  std::string head_address;  // what submitted drivers connect to
  std::string token;
  std::string arch;          // the head machine's; the driver runs here
};

class JobManager {
 public:
  JobManager(JobManagerOptions options, rpc::EventLoop* loop, process::BinaryStore* binaries);
  ~JobManager();

  void OnRequest(rpc::ConnId conn, const rpc::JobRequest& request);
  void OnDisconnect(rpc::ConnId conn);
  // Periodically: notices drivers that exited; escalates stops.
  void Tick();

 private:
  struct Job {
    rpc::SubmittedJobId id;
    std::vector<std::string> argv;
    std::string dir;
    pid_t pid = -1;
    rpc::JobState state = rpc::JobState::kRunning;  // then kSucceeded, kFailed or kStopped
    std::string exit_description;
    int exit_code = 0;
    bool exited = false;
    bool output_closed = false;
    bool stop_requested = false;
    std::chrono::steady_clock::time_point stop_sent;
    int64_t start_ms = 0;
    int64_t end_ms = 0;
    std::vector<rpc::ConnId> followers;
  };
  rpc::JobReply Submit(rpc::ConnId conn, const rpc::JobRequest& request);
  rpc::JobReply List() const;
  rpc::JobReply Logs(rpc::ConnId conn, const rpc::JobRequest& request);
  rpc::JobReply Stop(const rpc::JobRequest& request);
  void MaybeFinish(Job& job);
  // The job with this id; nullptr with `reply` set to the error if none.
  Job* Find(const rpc::SubmittedJobId& id, rpc::JobReply* reply);
  std::string LogPath(const Job& job) const { return job.dir + "/driver.log"; }

  JobManagerOptions options_;
  rpc::EventLoop* loop_;
  process::BinaryStore* binaries_;
  process::ProcessOutputs outputs_;
  std::map<rpc::SubmittedJobId, Job> jobs_;
};

}  // namespace strata::head
