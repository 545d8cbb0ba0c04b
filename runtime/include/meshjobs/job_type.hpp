// A job type: its handler, its strategy and its hooks, declared in code as the seed declares
// them (queue_as, retry_on, discard_on, before_perform, around_perform, after_perform).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "meshjobs/async_context.hpp"
#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/job_spec.hpp"
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

class job_context;

/// The runtime behind a synchronous handler's context (implemented inside the runtime).
class job_link {
 public:
  virtual ~job_link() = default;
  virtual void progress(std::int32_t percent, std::string message) = 0;
  virtual enqueue_reply enqueue(enqueue_request req) = 0;
  virtual std::vector<enqueue_reply> enqueue_many(std::vector<enqueue_request> reqs) = 0;
  virtual std::optional<std::string> next_signal(std::chrono::milliseconds timeout,
                                                 const job_context& ctx) = 0;
};

/// What a synchronous handler (job_type::perform) sees of its job and of the runtime.
class job_context {
 public:
  job_context(const job& j, std::shared_ptr<const std::atomic<bool>> cancel_flag,
              std::shared_ptr<job_link> link = nullptr)
    : job_(j), cancel_flag_(std::move(cancel_flag)), link_(std::move(link)) {}

  const job& current() const { return job_; }
  const std::string& args() const { return job_.args; }
  /// True once the job was cancelled or timed out: a long handler should stop soon.
  bool cancelled() const { return cancel_flag_ && cancel_flag_->load(std::memory_order_relaxed); }

  /// Reports how far the job got (0-100), as async_context::progress does.
  void progress(std::int32_t percent, std::string message) {
    if (link_)
      link_->progress(percent, std::move(message));
  }
  /// Enqueues and waits for the durable answer. Blocking: only from a blocking handler (on
  /// the worker pool); a non-blocking one gets std::logic_error (use an asynchronous job).
  enqueue_reply enqueue(enqueue_request req) { return link().enqueue(std::move(req)); }
  enqueue_reply enqueue(std::string kind, std::string args_json) {
    enqueue_request req;
    req.kind = std::move(kind);
    req.args = std::move(args_json);
    return enqueue(std::move(req));
  }
  std::vector<enqueue_reply> enqueue_many(std::vector<enqueue_request> reqs) {
    return link().enqueue_many(std::move(reqs));
  }
  /// Waits up to `timeout` for the next signal sent to this job and returns its payload;
  /// nothing on timeout or once the job is cancelled. Blocking, as enqueue.
  std::optional<std::string> next_signal(std::chrono::milliseconds timeout) {
    return link().next_signal(timeout, *this);
  }

 private:
  job_link& link() {
    if (!link_)
      throw std::logic_error("job_context: not running inside a meshjobs runtime");
    return *link_;
  }

  const job& job_;
  std::shared_ptr<const std::atomic<bool>> cancel_flag_;
  std::shared_ptr<job_link> link_;
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
  /// A synchronous handler: the job ends when it returns (or throws). Set this or `start`.
  job_handler perform;
  /// An asynchronous job: called on the type's actor, it sets things in motion and returns;
  /// the job ends when a callback calls ctx.done() or ctx.fail() (see async_context.hpp). It
  /// holds no thread while it waits. `blocking` and the perform hooks do not apply to it.
  std::function<void(async_context&)> start;
  /// false: running jobs of this type do not count against the node's `concurrency` (for
  /// jobs that only wait, such as a batch waiting for its children); the type's own
  /// `concurrency` still bounds them.
  bool counts_against_concurrency = true;
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
  /// Jobs that follow an outcome, enqueued in the same transaction as it: once the outcome is
  /// durable they are too, and a crash before it loses both (the job then runs again). E.g. a
  /// failure notification and a cleanup when a generation is dead. Same rules as
  /// outcome_records; a follow-up the coordinator refuses is logged.
  std::function<std::vector<enqueue_request>(const job&, const job_outcome&)> outcome_jobs;

  /// What the coordinator needs of this type to admit and schedule its jobs (the handler
  /// stays with the nodes that run it).
  job_spec spec() const {
    job_spec out;
    out.kind = kind;
    out.queue = queue;
    out.priority = priority;
    out.unique = unique;
    out.on_conflict = on_conflict;
    out.timeout_ms = timeout.count();
    out.counts_against_concurrency = counts_against_concurrency;
    return out;
  }
};

}  // namespace meshjobs
