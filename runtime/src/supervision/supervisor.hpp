// A job type's supervisor: a worker of its kind. It registers with the coordinator (its node,
// its kind, its capacity), is monitored from then on, and owns a pool of execution actors (one per slot, monitored, and
// replaced when one dies or is killed), asks the coordinator for work by credit, arms the
// timeout of each execution, applies the type's retry strategy to each failure, and pauses
// the type with back-off when failures exceed its restart intensity.
//
// Why slots and not one fresh actor per job: measured here, spawn + monitor + quit of an actor
// per job caps a supervisor near 250k jobs/s before any job work; reused monitored slots run
// the same no-op loop at ~680k/s. A slot is still killed and replaced on timeout or crash.
// Slots get their actor when first used, so a large `concurrency` costs nothing up front.
// An asynchronous type has no execution actors: its jobs run on one async_host (see there),
// and a timeout or cancel takes the job back from it instead of killing an actor.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include "supervision/async_host.hpp"
#include "supervision/supervisor_interface.hpp"
#include "supervision/progress_buffer.hpp"
#include "node/runtime_env.hpp"

namespace meshjobs {

class signal_inbox;

class supervisor_state {
 public:
  using self_pointer = supervisor_actor::stateful_pointer<supervisor_state>;
  using steady = std::chrono::steady_clock;

  void init(self_pointer self, worker_interface head, client_interface client,
            std::shared_ptr<const job_type> type, std::shared_ptr<const runtime_env> env);

  void run(std::vector<job>& jobs);
  void done(std::uint64_t run, const job_error& error);
  void execution_down(const caf::actor_addr& source, const caf::error& reason);
  void cancel(job_id id);
  void signal(job_id id, std::string& payload);
  void progress(std::uint64_t run, std::int32_t percent, std::string& message);
  void progress_due();  ///< the coalescing interval is over
  void flush_progress();
  void check_deadlines();
  void stop();
  void end_backoff();
  void flush_outcomes();
  void kill_executions();

 private:
  struct slot {
    execution_actor exec;
    std::shared_ptr<std::atomic<bool>> cancel_flag;
    std::shared_ptr<signal_inbox> signals;
    std::uint64_t run = 0;  // 0: idle
    job current;
    steady::time_point deadline;
    bool cancel_requested = false;
  };

  void spawn_slot(std::size_t i);
  bool is_async() const { return static_cast<bool>(type_->start); }
  /// Takes a running job back from its execution: drops an asynchronous job; flags and kills
  /// a slot, and writes off the pool thread a blocking handler may still hold.
  void stop_execution(slot& s);
  void finish(std::size_t i, job_error error);
  job_outcome decide(slot& s, const job_error& error, timestamp now);
  void run_discard_handler(const retry_policy::discard_handler& handler, const job& j,
                           const job_error& error);
  void add_outcome_records(const job& j, job_outcome& outcome) const;
  void count_failure();
  void arm_deadline(steady::time_point at);
  void return_credit(std::int32_t n);

  self_pointer self_ = nullptr;
  worker_interface head_;    // where it registered: the coordinator, as a worker sees it
  client_interface client_;  // for its jobs' enqueues and awaits
  std::shared_ptr<const runtime_env> env_;
  std::shared_ptr<const job_type> type_;
  std::string where_;
  std::chrono::milliseconds timeout_{0};

  std::vector<slot> slots_;
  std::vector<std::size_t> free_;
  std::unordered_map<std::uint64_t, std::size_t> by_run_;
  steady::time_point armed_for_ = steady::time_point::max();

  async_host_actor host_;  // asynchronous types only
  progress_buffer progress_;
  bool progress_flush_armed_ = false;

  std::vector<job_outcome> outcomes_;  // waiting for the next flush
  std::int32_t credit_owed_ = 0;       // slots freed, not yet offered to the coordinator
  bool stopping_ = false;
  steady::time_point stop_deadline_;

  std::deque<steady::time_point> failures_;  // within the intensity window
  bool paused_ = false;
  std::chrono::milliseconds backoff_{0};
  std::mt19937_64 rng_{std::random_device{}()};
};

/// A supervisor for `type` registers with `head` as a worker of that one kind, its capacity the
/// type's concurrency (or the node's).
supervisor_actor::behavior_type supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                                           worker_interface head, client_interface client,
                                           std::shared_ptr<const job_type> type,
                                           std::shared_ptr<const runtime_env> env);

}  // namespace meshjobs
