#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace strata {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kDataLoss: return "data loss";
    case StatusCode::kResourceExhausted: return "resource exhausted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kDeadlineExceeded: return "deadline exceeded";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  return ok() ? "ok" : std::string(StatusCodeName(code_)) + ": " + message_;
}

Status ErrnoError(int err, const std::string& what) {
  const StatusCode code = err == ENOENT                                 ? StatusCode::kNotFound
                          : err == ENOSPC || err == ENOMEM || err == EDQUOT ? StatusCode::kResourceExhausted
                                                                          : StatusCode::kUnavailable;
  return Status(code, what + ": " + std::strerror(err));
}

void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "strata: internal error: check failed at %s:%d: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace strata
