// Messages between the coordinator, the supervisors, the front actor and their callers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/record.hpp"

namespace meshjobs {

/// What a caller asks for when it enqueues a job: the one type for enqueue options, used by
/// the embedded facade, the front actor and the coordinator alike. Empty / zero fields take the
/// job type's default.
struct enqueue_request {
  std::string kind;
  std::string args = "{}";
  std::string queue;
  std::int32_t priority = 0;
  bool has_priority = false;
  timestamp run_at = 0;       ///< 0: now
  std::int64_t wait_us = 0;   ///< relative delay, resolved by the coordinator's clock
  timestamp expires_at = 0;   ///< 0: never
  unique_mode unique = unique_mode::none;
  bool has_unique = false;    ///< false: the job type's uniqueness
  unique_conflict on_conflict = unique_conflict::log;
  std::string unique_key;     ///< empty: kind + args
  std::int32_t max_attempts = 0;
  /// Not empty: a retry of this request with the same key, within the coordinator's window
  /// (24 h, the latest 100,000 keys), returns the first job with status `replayed`.
  std::string idempotency_key;
};

enum class enqueue_status : std::uint8_t {
  enqueued,
  scheduled,
  duplicate,  ///< a unique job with the same key exists; nothing enqueued (on_conflict: log)
  refused,    ///< see `error`
  replayed,   ///< the idempotency key was seen: `id` is the first request's job, nothing new
};

struct enqueue_reply {
  job_id id = 0;  ///< the new job, or the existing one for a duplicate
  enqueue_status status = enqueue_status::refused;
  std::string error;  ///< why it was refused, naming the input and the reason
};

std::string_view to_string(enqueue_status s);

/// How one execution ended, as the job type's supervisor decided it.
enum class outcome_kind : std::uint8_t {
  succeeded,
  retry,      ///< failed, run again at `retry_at`
  dead,       ///< failed for good, keep in the dead set
  discarded,  ///< failed, a discard_on rule matched
  cancelled,
  requeued,   ///< handed back unstarted (shutdown): back to its queue, the attempt not counted
  abandoned,  ///< still running when a stop's grace ended: left `running` in the store, so the
              ///< next start recovers it as after a crash (the attempt not counted)
};

struct job_outcome {
  job_id id = 0;
  outcome_kind kind = outcome_kind::succeeded;
  job_error error;
  timestamp retry_at = 0;
  timestamp finished_at = 0;
  /// The attempt it ended (the job's attempt when it was handed out). An outcome that comes
  /// after its worker was given up (a node cut off, a head that restarted) is applied only
  /// while the job still waits in its queue at this attempt, never once it runs again.
  std::int32_t attempt = 0;
  std::uint64_t run = 0;  ///< the job's `run` when it was handed out
  /// Domain record writes that commit with this outcome (the job type's outcome_records).
  std::vector<record_write> records;
  /// Jobs enqueued in the same commit as this outcome (the job type's outcome_jobs): a
  /// notification or a cleanup that must follow a final outcome exactly once.
  std::vector<enqueue_request> follow_ups;
};

struct queue_stats {
  std::string name;
  std::int32_t weight = 1;
  std::int32_t limit = 0;
  bool paused = false;
  std::uint64_t size = 0;
  std::uint64_t running = 0;
};

struct type_stats {
  std::string kind;
  std::uint64_t running = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;  ///< executions that failed (retried or not)
  bool paused = false;       ///< restart intensity exceeded: backing off
  timestamp paused_until = 0;
};

/// One worker registered with the coordinator.
struct worker_stats {
  std::uint64_t id = 0;  ///< in the order workers registered; never reused
  std::string node;
  std::vector<std::string> kinds;
  std::int32_t capacity = 0;
  std::int32_t credit = 0;  ///< free slots it offered and has not been given jobs for
  std::uint64_t running = 0;
  timestamp paused_until = 0;  ///< 0: taking work
};

/// One subscriber of the event stream: its name, what waits in its buffer, what it lost.
struct subscriber_stats {
  std::string name;
  std::uint64_t queued = 0;
  std::uint64_t dropped = 0;  ///< events that found its buffer full
};

struct runtime_stats {
  std::string node;  ///< the answering node's name
  std::string role;  ///< standalone or head
  std::uint64_t enqueued = 0;
  std::uint64_t scheduled = 0;  ///< scheduled + retrying
  std::uint64_t retrying = 0;
  std::uint64_t running = 0;
  std::uint64_t dead = 0;
  std::uint64_t processed = 0;  ///< executions finished, any outcome
  std::uint64_t failed = 0;     ///< executions that failed
  bool store_healthy = true;    ///< false from a failed commit until one succeeds
  std::string store_error;      ///< the last failed commit's reason, while unhealthy
  std::uint64_t store_failures = 0;  ///< failed commits since the start
  std::vector<queue_stats> queues;
  std::vector<type_stats> types;
  std::uint64_t pool_threads = 0;      ///< the worker pool's counted threads
  std::uint64_t pool_written_off = 0;  ///< threads held by hung handlers, written off
  std::vector<subscriber_stats> subscribers;  ///< of the event stream
  std::vector<worker_stats> workers;          ///< registered, by id
};

/// A job looked up by id: live, dead, or finished and still kept (store: finished_max_*).
struct job_lookup {
  bool found = false;
  job value;
};

/// A page of jobs, newest (highest id) first. Filters left empty match every job.
struct job_query {
  static constexpr std::uint32_t max_limit = 1000;

  bool by_state = false;
  job_state state = job_state::enqueued;  ///< with by_state
  std::string queue;                      ///< empty: every queue
  std::string kind;                       ///< empty: every kind
  job_id before_id = 0;                   ///< only ids below it (a page's next_cursor); 0: newest
  std::uint32_t limit = 100;              ///< at most max_limit
};

struct job_page {
  std::vector<job> jobs;
  job_id next_cursor = 0;  ///< before_id of the next page; 0: this was the last
};

enum class cancel_status : std::uint8_t { cancelled, stopping, not_found, finished };
std::string_view to_string(cancel_status s);

/// A running job's report of how far it got (coalesced on its way to the coordinator).
struct job_progress {
  job_id id = 0;
  std::int32_t percent = 0;  ///< 0-100
  std::string message;
};

/// What became of a signal sent to a job.
enum class signal_status : std::uint8_t {
  delivered,    ///< handed to the execution running the job
  not_running,  ///< the job exists but no execution runs it now (waiting, or ended)
  not_found,
  refused,      ///< the payload is not a JSON object
};
std::string_view to_string(signal_status s);

/// How a watched job ended (succeeded, dead, discarded, cancelled or expired), or that the
/// job is unknown (`found` false: never enqueued, or finished too long ago to remember).
struct job_end {
  job_id id = 0;
  bool found = false;
  job_state state = job_state::succeeded;
  job_error error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_error& x) {
  return f(x.kind, x.message, x.where);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job& x) {
  return f(x.id, x.kind, x.queue, x.args, x.priority, x.attempt, x.max_attempts, x.recoveries,
           x.state, x.unique, x.unique_key, x.enqueued_at, x.run_at, x.started_at, x.finished_at,
           x.expires_at, x.last_error, x.progress, x.progress_message, x.run);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, enqueue_request& x) {
  return f(x.kind, x.args, x.queue, x.priority, x.has_priority, x.run_at, x.wait_us, x.expires_at,
           x.unique, x.has_unique, x.on_conflict, x.unique_key, x.max_attempts, x.idempotency_key);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, enqueue_reply& x) {
  return f(x.id, x.status, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_outcome& x) {
  return f(x.id, x.kind, x.error, x.retry_at, x.finished_at, x.attempt, x.run, x.records, x.follow_ups);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_stats& x) {
  return f(x.name, x.weight, x.limit, x.paused, x.size, x.running);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, type_stats& x) {
  return f(x.kind, x.running, x.succeeded, x.failed, x.paused, x.paused_until);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_stats& x) {
  return f(x.id, x.node, x.kinds, x.capacity, x.credit, x.running, x.paused_until);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscriber_stats& x) {
  return f(x.name, x.queued, x.dropped);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, runtime_stats& x) {
  return f(x.node, x.role, x.enqueued, x.scheduled, x.retrying, x.running, x.dead, x.processed, x.failed,
           x.store_healthy, x.store_error, x.store_failures, x.queues, x.types, x.pool_threads,
           x.pool_written_off, x.subscribers, x.workers);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_lookup& x) {
  return f(x.found, x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_query& x) {
  return f(x.by_state, x.state, x.queue, x.kind, x.before_id, x.limit);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_page& x) {
  return f(x.jobs, x.next_cursor);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_progress& x) {
  return f(x.id, x.percent, x.message);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_end& x) {
  return f(x.id, x.found, x.state, x.error);
}

}  // namespace meshjobs
