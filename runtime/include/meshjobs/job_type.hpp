// A job type: its handler, its strategy and its hooks, declared in code as the seed declares
// them (queue_as, retry_on, discard_on, before_perform, around_perform, after_perform).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/protocol.hpp"
#include "meshjobs/retry_policy.hpp"

namespace meshjobs {

/// Thrown by a handler or hook to fail the execution with a kind its strategy can match.
class job_failure : public std::exception {
 public:
  job_failure(std::string kind, std::string message)
    : kind_(std::move(kind)), message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& kind() const { return kind_; }
  const std::string& message() const { return message_; }

 private:
  std::string kind_;
  std::string message_;
};

/// What a handler sees of its job and of the runtime while it runs.
class job_context {
 public:
  job_context(const job& j, std::shared_ptr<const std::atomic<bool>> cancel_flag)
    : job_(j), cancel_flag_(std::move(cancel_flag)) {}

  const job& current() const { return job_; }
  const std::string& args() const { return job_.args; }
  /// True once the job was cancelled or timed out: a long handler should stop soon.
  bool cancelled() const { return cancel_flag_ && cancel_flag_->load(std::memory_order_relaxed); }

 private:
  const job& job_;
  std::shared_ptr<const std::atomic<bool>> cancel_flag_;
};

using job_handler = std::function<void(job_context&)>;
using around_hook = std::function<void(job_context&, const std::function<void()>& perform)>;

/// When a job type fails more than `max_failures` times within `window`, its supervisor stops
/// taking its jobs for `backoff` (doubling on each repeat up to `max_backoff`), then resumes.
struct restart_intensity {
  int max_failures = 50;
  std::chrono::milliseconds window{10000};
  std::chrono::milliseconds backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
};

struct job_type {
  std::string kind;               ///< e.g. "mesh.generation"
  std::string queue = "default";  ///< queue_as
  std::int32_t priority = 0;
  job_handler perform;
  retry_policy retry;
  /// true: the handler may block or burn CPU, so it runs on the bounded worker pool;
  /// false: it is short and non-blocking and runs on the execution actor itself.
  bool blocking = true;
  int concurrency = 0;                    ///< executions at once on a node; 0: node concurrency
  std::chrono::milliseconds timeout{0};   ///< 0: the config's timeout
  unique_mode unique = unique_mode::none;
  unique_conflict on_conflict = unique_conflict::log;
  restart_intensity intensity;
  std::vector<job_handler> before_perform;  ///< a throw fails the execution
  std::vector<around_hook> around_perform;  ///< outermost first
  std::vector<job_handler> after_perform;   ///< only after success
  /// Domain record writes that go with an outcome, committed in the same transaction as the
  /// job's new state (see meshjobs/records.hpp): e.g. a mesh marked `completed` on success,
  /// `retrying` on a retry, `failed` when dead or discarded. Called on the supervisor's actor
  /// thread once the outcome is decided: build the statements, do no I/O. A throw is logged
  /// and the outcome goes on without records.
  std::function<std::vector<record_write>(const job&, const job_outcome&)> outcome_records;
};

}  // namespace meshjobs
