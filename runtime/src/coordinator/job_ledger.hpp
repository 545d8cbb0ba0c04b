// The job ledger: every change of a job's state happens here, and nowhere else. It holds the
// jobs (through the store), the queues, the scheduled set, the unique locks, the running jobs
// and the workers; each transition changes them and returns what must follow as effects
// (jobs to dispatch, cancels and signals for workers, watchers to tell, events to publish).
// It sends nothing itself and needs no actor system, so its tests drive it directly; the
// coordinator actor carries the effects out, commits the store and arms the timers.
//
// Persisting is the one effect it does not return: each transition writes the jobs it changes
// into the store's open batch, and the coordinator commits that batch (see durable_acks).
//
// A job's life as a state machine is documented once, in the README ("A job's life"): each row
// of its table is one transition here. A request that does not fit a job's state changes
// nothing: a cancel of a job that ended answers `finished`; an outcome or progress from a
// worker that does not run the job (stale, or from a lost worker) is ignored and logged;
// retry_dead of a job that is not dead answers false.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "coordinator/idempotency_keys.hpp"
#include "coordinator/ready_queues.hpp"
#include "coordinator/unique_locks.hpp"
#include "coordinator/worker_registry.hpp"
#include "meshjobs/messages/interfaces.hpp"
#include "meshjobs/messages/job_event.hpp"
#include "node/runtime_env.hpp"
#include "schedule/scheduled_set.hpp"
#include "store/store.hpp"

namespace meshjobs {

/// What must follow the transitions since the last take_effects().
struct ledger_effects {
  struct dispatch_batch {
    worker_id worker = 0;
    worker_actor to;
    std::vector<job> jobs;
  };
  struct job_request {
    worker_actor to;
    job_id id = 0;
  };
  struct signal_delivery {
    worker_actor to;
    job_id id = 0;
    std::string payload;
  };
  struct watcher_note {
    watcher_actor to;
    std::uint64_t token = 0;
    job_end end;
  };

  std::vector<dispatch_batch> dispatches;
  std::vector<job_request> cancels;  ///< ask the worker to stop the job
  std::vector<signal_delivery> signals;
  std::vector<watcher_note> watched;  ///< a watched job ended
  std::vector<worker_actor> stops;    ///< the node stops: these workers finish up
  std::vector<job_event> events;      ///< in the order they happened
  timestamp wake_at = 0;  ///< the earliest time something changes by itself; 0: none

  void clear();
};

class job_ledger {
 public:
  job_ledger(std::shared_ptr<const runtime_env> env, std::shared_ptr<store> db);

  // Admission (ledger_admit.cpp)
  enqueue_reply admit(const enqueue_request& req, bool hold_until_durable = false);
  /// An admitted job's write did not become durable: a job that has not started is withdrawn
  /// (its key forgotten) and the reply says refused; one that started keeps its reply.
  void withdraw_not_durable(enqueue_reply& reply, const std::string& key, const std::string& error);
  /// The store's health as the last commit left it: while unhealthy, admitted jobs are held
  /// out of dispatch until the commit that covers them succeeds.
  void commit_started(std::uint64_t seq);
  void commit_done(std::uint64_t seq, bool durable);

  // Time (ledger_time.cpp)
  void promote_due();
  void prune_dead();
  /// Starts from what the store holds after a restart.
  void recover();

  // Workers and dispatch (ledger_dispatch.cpp)
  /// Empty when accepted (`id` set), else why not.
  std::string register_worker(worker_actor handle, const worker_registration& reg, worker_id& id);
  /// The worker is gone: the jobs it ran go back to their queues, their attempts not counted.
  void worker_lost(worker_id id);
  void add_credit(worker_id id, std::int32_t credit);
  void set_paused(worker_id id, timestamp until);
  void dispatch();

  // Running jobs (ledger_running.cpp)
  /// Its worker started these jobs (they were dispatched to it): their `started` events.
  void jobs_started(worker_id from, const std::vector<job_id>& ids);
  void apply_outcomes(worker_id from, std::vector<job_outcome>& outcomes);
  void record_progress(worker_id from, std::vector<job_progress>& reports);
  signal_status signal(job_id id, const std::string& payload);
  void watch(const std::vector<job_id>& ids, const watcher_actor& watcher, std::uint64_t token);

  // Requests about waiting and dead jobs (ledger_requests.cpp)
  cancel_status cancel(job_id id);
  bool retry_dead(job_id id);
  bool pause_queue(const std::string& queue, bool paused) { return queues_.pause(queue, paused); }
  void begin_stop();

  // Queries (queries.cpp)
  job_lookup lookup(job_id id) const;
  /// A page of jobs, newest first (finished jobs past their age are pruned first).
  job_page query(job_query q) const;
  /// The ledger's part of the stats (jobs, queues, kinds); the node adds its own.
  runtime_stats stats() const;
  bool idle() const;
  bool stopping() const { return stopping_; }
  std::size_t running() const { return running_.size(); }
  const worker_registry& workers() const { return workers_; }

  ledger_effects take_effects();
  /// The same, into `fx` (emptied first): its vectors keep their capacity from one message to
  /// the next, so the coordinator allocates nothing for effects in the common case.
  void take_effects(ledger_effects& fx);

 private:
  struct running_entry {
    worker_id worker;
    std::uint32_t queue;
    std::uint32_t lane;
    // What its `started` event says, so that event needs no read of the store.
    std::int32_t attempt;
    timestamp enqueued_at;
    timestamp started_at;
    std::uint64_t run;  ///< this handing-out (job::run)
  };
  struct held_job {
    std::uint64_t seq;  ///< the commit that covers it; 0: not yet in one
    std::size_t queue;
    std::size_t lane;
    std::int32_t priority;
    job_id id;
  };
  struct watch_entry {
    watcher_actor watcher;
    std::uint64_t token;
  };
  struct kind_counters {
    std::uint64_t running = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
  };

  /// Past this, a key is an identifier gone wrong, not a retry's tag.
  static constexpr std::size_t max_idempotency_key = 200;

  enqueue_reply admit_new(const enqueue_request& req, bool hold_until_durable);
  enqueue_reply refuse(std::string error) const;
  void start_job(job& j, worker_entry& w, std::uint32_t lane, std::uint32_t queue, timestamp now);
  /// Records `j` (its attempt and run set) as running on `w`, with every count that goes with it.
  void enter_running(const job& j, worker_entry& w, std::uint32_t lane, std::uint32_t queue);
  /// An outcome of a run the ledger gave up on (its worker was cut off, or this head
  /// restarted): the job is taken back as running on `from` when it still waits in its queue
  /// at the outcome's attempt, so the outcome applies once. False: it runs again or ended.
  bool adopt_late_outcome(worker_id from, const job_outcome& o);
  /// Takes a waiting job (queued, held, waiting for its unique lock, scheduled) out of where
  /// it waits.
  void stop_waiting(const job& j);
  std::size_t lane_of(const std::string& kind) const;
  std::size_t unknown_kind_lane() const { return env_->specs.size(); }
  /// Opens a kind's lane while one of its workers can take work.
  void update_lane(std::uint32_t lane);
  void update_lanes_of(const worker_entry& w);
  /// The job ends in a final state; the store keeps it a while (finished_max_jobs, _age).
  void finish(job& j, job_state final_state, std::int64_t duration_us = 0,
              const job_error* error = nullptr);
  void end_without_running(job& j, job_state final_state);
  void expire(job& j);
  void record_dead(job& j, std::int64_t duration_us = 0);
  void release_locks(const job& j, bool final_outcome);
  void requeue_front(job& j);
  /// Enqueues what a job type asked to follow an outcome, in the outcome's commit.
  void admit_follow_ups(const job& after, const std::vector<enqueue_request>& follow_ups);
  /// A job reached a final state: it keeps its last progress, its watchers hear of it.
  void job_ended(job& j);
  void add_progress(job& j) const;
  timestamp next_timed_change() const;
  timestamp dead_max_age_us() const;

  // ledger_events.cpp
  void announce(const job& j, event_kind what, std::int64_t duration_us = 0,
                const job_error* error = nullptr);
  void announce_kinds(const worker_entry& w, timestamp until);
  void publish(job_event e);

  std::shared_ptr<const runtime_env> env_;
  std::shared_ptr<store> db_;
  ready_queues queues_;
  scheduled_set scheduled_;
  unique_locks locks_;
  idempotency_keys idempotency_;
  worker_registry workers_;
  std::unordered_map<job_id, running_entry> running_;
  std::size_t uncounted_running_ = 0;  // running jobs of kinds outside the node's concurrency
  std::vector<kind_counters> kinds_;   // by lane
  bool stopping_ = false;
  bool store_healthy_ = true;
  std::deque<held_job> held_;
  std::unordered_map<job_id, job_progress> progress_;
  std::unordered_map<job_id, std::vector<watch_entry>> watchers_;
  std::deque<std::pair<timestamp, job_id>> dead_order_;
  std::uint64_t processed_ = 0;
  /// The last job::run handed out. It starts at a random number, so the runs of a head that
  /// restarted are not taken for those its workers still report from before.
  std::uint64_t last_run_ = std::random_device{}() * 0x100000000ull;
  std::uint64_t failed_ = 0;
  std::uint64_t event_seq_ = 0;

  ledger_effects effects_;
};

}  // namespace meshjobs
