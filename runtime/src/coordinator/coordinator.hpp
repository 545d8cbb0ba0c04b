// The coordinator: validates and persists what is enqueued, keeps the queues and the scheduled
// set, hands jobs to the supervisors that ask for them, and records how each execution ended.
// The path of a job: coordinator (enqueue) -> dispatch -> supervisor -> execution ->
// retry_policy (in the supervisor) -> coordinator (outcome) -> store.
#pragma once

#include <caf/fwd.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "store/commit_backoff.hpp"
#include "schedule/cron_schedule.hpp"
#include "coordinator/idempotency_keys.hpp"
#include "node/interfaces.hpp"
#include "meshjobs/messages/job_event.hpp"
#include "coordinator/ready_queues.hpp"
#include "node/runtime_env.hpp"
#include "schedule/scheduled_set.hpp"
#include "store/store.hpp"
#include "coordinator/unique_locks.hpp"

namespace meshjobs {

class coordinator_state {
 public:
  using self_pointer = coordinator_actor::stateful_pointer<coordinator_state>;

  /// CAF default-constructs an actor's state; the behaviour then calls init.
  void init(self_pointer self, std::shared_ptr<const runtime_env> env, std::shared_ptr<store> db);

  // enqueue.cpp
  enqueue_reply enqueue(const enqueue_request& req);
  /// `key`: the request's idempotency key, forgotten if the job's commit fails.
  void ack_when_durable(caf::typed_response_promise<enqueue_reply> rp, enqueue_reply reply,
                        std::string key);
  void ack_when_durable(caf::typed_response_promise<std::vector<enqueue_reply>> rp,
                        std::vector<enqueue_reply> replies, std::vector<std::string> keys);
  /// Domain record writes from a caller: committed with the next commit, answered with its
  /// error (empty: durable).
  void write_records(caf::typed_response_promise<std::string> rp, std::vector<record_write> writes);

  // dispatch.cpp
  void dispatch();
  void apply_outcomes(std::uint32_t supervisor, std::vector<job_outcome>& outcomes);
  void promote_due();
  /// Drops dead jobs past dead_max_jobs or dead_max_age (on each change and on the timer).
  void prune_dead();
  void fire_cron();
  void arm_timers();

  // coordinator_events.cpp: the one place events leave the coordinator
  /// Queues `e` for the event stream, stamped with the coordinator's order (and the time when
  /// `e.at` is 0); it is sent once the current message is handled. Any part of the coordinator
  /// that records a change publishes it here (job progress reports included).
  void publish(job_event e);
  /// Publishes `what` for `j` as it now is, if a subscriber wants that kind.
  void announce(const job& j, event_kind what, std::int64_t duration_us = 0,
                const job_error* error = nullptr);
  /// A job type paused until `until`, or resumed (0).
  void announce_type(std::uint32_t supervisor, timestamp until);
  void flush_events();

  // lifecycle.cpp
  void recover();
  cancel_status cancel(job_id id);
  bool retry_dead(job_id id);
  job_lookup lookup(job_id id) const;
  job_page query(job_query q) const;
  runtime_stats stats() const;
  void begin_stop();
  bool pause_queue(const std::string& queue, bool paused) { return queues_->pause(queue, paused); }
  /// A supervisor asked for `credit` more jobs.
  void add_credit(std::uint32_t supervisor, std::int32_t credit);
  /// A supervisor paused its type until `until` (restart intensity), or resumed it (0).
  void set_paused(std::uint32_t supervisor, timestamp until);
  /// A supervisor was replaced: the jobs it ran go back to their queues, attempts not counted.
  void requeue_running_of(std::uint32_t supervisor);
  /// True when `gen` is the armed timer's (a stale one is ignored); disarms it.
  bool timer_fired(std::uint64_t gen);
  bool cron_timer_fired(std::uint64_t gen);
  void on_durable(std::uint64_t seq, const std::string& error);
  /// The back-off after a failed commit is over.
  void retry_commit();
  void after_change();  ///< commit what changed, dispatch, answer waiters

  // running_jobs.cpp
  signal_status signal(job_id id, const std::string& payload);
  void record_progress(std::vector<job_progress>& reports);
  /// Publishes a running job's progress as an event (`j` carries it).
  void publish_progress(const job& j);
  /// `watcher` hears (watched, token, end) once each job of `ids` has ended.
  void watch(const std::vector<job_id>& ids, const watcher_actor& watcher, std::uint64_t token);

  struct supervisor_entry {
    supervisor_actor handle;
    std::int32_t credit = 0;
    std::uint64_t running = 0;
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    timestamp paused_until = 0;
  };
  std::vector<supervisor_entry> supervisors;
  std::vector<caf::typed_response_promise<bool>> drain_waiters;
  std::vector<caf::typed_response_promise<bool>> stop_waiters;
  bool stopping = false;

 private:
  struct running_entry {
    std::uint32_t supervisor;
    std::uint32_t queue;
  };
  struct pending_ack {
    std::uint64_t seq;
    std::function<void(const std::string& error)> deliver;
  };

  enqueue_reply refuse(std::string error) const;
  enqueue_reply admit(const enqueue_request& req);
  /// Past this, a key is an identifier gone wrong, not a retry's tag.
  static constexpr std::size_t max_idempotency_key = 200;
  /// An enqueue's write did not become durable: a job that has not started is withdrawn, its
  /// idempotency key forgotten and the reply says refused; one already started (dispatched
  /// while the store looked healthy) keeps its reply, since it ran. A replay keeps its reply
  /// if the first job lasted.
  void settle_not_durable(enqueue_reply& reply, const std::string& key, const std::string& error);
  /// Takes a waiting job (queued, held, waiting for its unique lock, scheduled) out of where
  /// it waits.
  void stop_waiting(const job& j);
  /// Jobs enqueued while the store is unhealthy wait here, out of dispatch, until the commit
  /// that covers them (seq) succeeds: a refused enqueue must never run.
  void hold(std::size_t queue, std::size_t lane, const job& j);
  void release_held(std::uint64_t durable_seq);
  void start_job(job& j, std::uint32_t supervisor, std::uint32_t queue, timestamp now);
  /// A job's lane in its queue: its type's (= its supervisor's) index, or the unknown-kind lane.
  std::size_t lane_of(const std::string& kind) const;
  std::size_t unknown_kind_lane() const { return env_->types.size(); }
  /// Opens the type's lane while its supervisor can take work: credit left, not paused.
  void update_lane(std::uint32_t supervisor);
  void finish(job& j, job_state final_state, std::int64_t duration_us = 0,
              const job_error* error = nullptr);
  /// Ends a job that never ran (cancelled while waiting, expired).
  void end_without_running(job& j, job_state final_state);
  void release_locks(const job& j, bool final_outcome);
  void record_dead(job& j, std::int64_t duration_us = 0);
  /// The earliest time something changes by itself: a scheduled job comes due, a dead job ages
  /// out. 0: nothing waits.
  timestamp next_timed_change() const;
  timestamp dead_max_age_us() const;
  void requeue_front(job& j);
  void expire(job& j);
  void maybe_commit();
  void answer_waiters();
  /// A job reached a final state: it keeps its last progress, its watchers hear of it.
  void job_ended(job& j);
  /// The job with the progress its execution reported, while it runs.
  void add_progress(job& j) const;
  bool idle() const;

  self_pointer self_ = nullptr;
  std::shared_ptr<const runtime_env> env_;
  std::shared_ptr<store> db_;
  std::optional<ready_queues> queues_;
  scheduled_set scheduled_;
  unique_locks locks_;
  idempotency_keys idempotency_;
  std::optional<cron_schedule> cron_;
  std::unordered_map<job_id, running_entry> running_;
  std::vector<std::vector<job>> batches_;  // per supervisor, reused by dispatch

  // durability: acks wait for the commit that covers their write
  std::uint64_t next_seq_ = 1;
  bool commit_in_flight_ = false;
  std::vector<std::function<void(const std::string&)>> unassigned_acks_;
  std::deque<pending_ack> in_flight_acks_;
  std::uint64_t stop_seq_ = 0;
  commit_backoff store_health_;
  bool commit_waiting_ = false;  ///< a back-off timer runs: no commit before it ends
  struct held_job {
    std::uint64_t seq;
    std::size_t queue;
    std::size_t lane;
    std::int32_t priority;
    job_id id;
  };
  std::deque<held_job> held_;

  // timers: one for the earliest scheduled job, one for the next cron slot
  std::uint64_t timer_gen_ = 0;
  timestamp timer_at_ = 0;
  std::uint64_t cron_gen_ = 0;
  timestamp cron_at_ = 0;

  std::vector<job_event> pending_events_;  // published by the current message
  std::uint64_t event_seq_ = 0;
  // running_jobs.cpp: the latest progress of running jobs, and who waits for which job
  struct watch_entry {
    watcher_actor watcher;
    std::uint64_t token;
  };
  std::unordered_map<job_id, job_progress> progress_;
  std::unordered_map<job_id, std::vector<watch_entry>> watchers_;
  std::size_t uncounted_running_ = 0;  // running jobs of types outside the node's concurrency

  std::deque<std::pair<timestamp, job_id>> dead_order_;
  std::uint64_t processed_ = 0;
  std::uint64_t failed_ = 0;
};

coordinator_actor::behavior_type coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
                                             std::shared_ptr<const runtime_env> env,
                                             std::shared_ptr<store> db);

}  // namespace meshjobs
