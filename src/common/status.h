// Status and Result<T>: how a module says what went wrong at its boundary,
// instead of a bool and a `std::string* error` out-parameter. A small code
// set in the spirit of gRPC's, a message that names the file, line, step or
// address at fault, and [[nodiscard]] so that an error cannot be dropped by
// accident. STRATA_CHECK is for invariants of our own code — never for user
// input, which gets a Status.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace strata {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,    // bad input: a wrong flag, a malformed file, an unknown name
  kNotFound,           // a file, node or object that is not there
  kDataLoss,           // input cut short or corrupt
  kResourceExhausted,  // a store, a disk or a limit is full
  kUnavailable,        // a peer or a service cannot be reached now
  kDeadlineExceeded,
  kFailedPrecondition,  // the system is not in a state to do it
  kInternal,            // a bug of ours
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // What went wrong, as a user reads it ("" when ok).
  const std::string& message() const { return message_; }
  // "invalid argument: ..." (for logs, where the kind matters).
  std::string ToString() const;
  // The same error, its message prefixed: "step 2 (filter): " + message.
  Status WithContext(const std::string& prefix) const {
    return ok() ? *this : Status(code_, prefix + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// "WHAT: <errno's text>", its code from `err`: NotFound for a missing file,
// ResourceExhausted for a full disk or memory, else Unavailable.
Status ErrnoError(int err, const std::string& what);
// "cannot read PATH: <errno's text>", right after a failed open or read.
inline Status CannotRead(const std::string& path, int err = errno) { return ErrnoError(err, "cannot read " + path); }

// A value, or why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit, as absl::StatusOr
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  // Anything that converts to T (a std::unique_ptr<Derived> for a
  // Result<std::unique_ptr<Base>>, a lambda for a std::function) — but not
  // nullptr: a null "value" where an error was meant would read as success.
  template <class U, std::enable_if_t<std::is_convertible_v<U&&, T> && !std::is_same_v<std::decay_t<U>, T> &&
                                          !std::is_same_v<std::decay_t<U>, std::nullptr_t> &&
                                          !std::is_convertible_v<U&&, Status>,
                                      int> = 0>
  Result(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error (OkStatus() when there is a value).
  Status status() const { return ok() ? OkStatus() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);

}  // namespace strata

// An invariant of our own code; failing it is a bug, reported with where.
#define STRATA_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::strata::CheckFailed(__FILE__, __LINE__, #condition))

#define STRATA_RETURN_IF_ERROR(expr)       \
  do {                                     \
    ::strata::Status strata_status_ = (expr); \
    if (!strata_status_.ok()) return strata_status_; \
  } while (0)

// `lhs = value of expr`, or return its error: STRATA_ASSIGN_OR_RETURN(const Column* c, Need(b, "x"));
#define STRATA_ASSIGN_OR_RETURN(lhs, expr) \
  STRATA_ASSIGN_OR_RETURN_AT(STRATA_CONCAT(strata_result_, __LINE__), lhs, expr)
#define STRATA_ASSIGN_OR_RETURN_AT(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
#define STRATA_CONCAT(a, b) STRATA_CONCAT_INNER(a, b)
#define STRATA_CONCAT_INNER(a, b) a##b
