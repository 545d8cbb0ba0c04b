// The coordinator actor: one writer for every job's state. It hands each message to the job
// ledger (where every transition lives), then carries out the effects the ledger returns:
// dispatches, cancels and signals to workers, notes to watchers, events to subscribers. It
// commits the store's open batch and answers durable requests once their commit is done
// (durable_acks), arms its timers (coordinator_timers) and fires cron.
// The path of a job: coordinator (enqueue) -> ledger (admit, dispatch) -> supervisor ->
// execution -> retry_policy (in the supervisor) -> coordinator (outcome) -> ledger -> store.
#pragma once

#include <caf/fwd.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "coordinator/coordinator_timers.hpp"
#include "coordinator/durable_acks.hpp"
#include "coordinator/job_ledger.hpp"
#include "meshjobs/messages/interfaces.hpp"
#include "node/runtime_env.hpp"
#include "schedule/cron_schedule.hpp"
#include "store/store.hpp"

namespace meshjobs {

class coordinator_state {
 public:
  using self_pointer = coordinator_actor::stateful_pointer<coordinator_state>;

  /// CAF default-constructs an actor's state; the behaviour then calls init.
  void init(self_pointer self, std::shared_ptr<const runtime_env> env, std::shared_ptr<store> db);

  job_ledger& ledger() { return *ledger_; }

  /// Answers once the admitted jobs' writes are durable. `keys`: the requests' idempotency
  /// keys, forgotten for jobs whose commit fails.
  void ack_when_durable(caf::typed_response_promise<enqueue_reply> rp, enqueue_reply reply,
                        std::string key);
  void ack_when_durable(caf::typed_response_promise<std::vector<enqueue_reply>> rp,
                        std::vector<enqueue_reply> replies, std::vector<std::string> keys);
  /// Domain record writes from a caller: committed with the next commit, answered with its
  /// error (empty: durable).
  void write_records(caf::typed_response_promise<std::string> rp, std::vector<record_write> writes);

  /// The worker that sent the current message, or nothing (logged) when it is not registered.
  std::optional<worker_id> sender_worker(const char* what);
  std::string register_worker(const worker_registration& reg, worker_actor handle);
  void worker_down(const caf::actor_addr& source);

  void fire_cron();
  void timer_fired(std::uint64_t gen);
  void cron_timer_fired(std::uint64_t gen);
  void on_durable(std::uint64_t seq, const std::string& error);
  void retry_commit();
  runtime_stats stats() const;
  void begin_stop(caf::typed_response_promise<bool> rp);
  void add_drain_waiter(caf::typed_response_promise<bool> rp);
  /// After each message: carries out the ledger's effects, commits, answers waiters.
  void after_change();

 private:
  void carry_out(ledger_effects& fx);
  void maybe_commit();
  void answer_waiters();

  self_pointer self_ = nullptr;
  std::shared_ptr<const runtime_env> env_;
  std::shared_ptr<store> db_;
  std::optional<job_ledger> ledger_;
  ledger_effects fx_;  // reused by each after_change
  durable_acks acks_;
  coordinator_timer timer_;
  coordinator_timer cron_timer_;
  std::optional<cron_schedule> cron_;
  std::unordered_map<caf::actor_addr, worker_id> workers_;
  std::vector<caf::typed_response_promise<bool>> drain_waiters_;
  std::vector<caf::typed_response_promise<bool>> stop_waiters_;
  std::uint64_t stop_seq_ = 0;  ///< the commit the stop's answer waits for
};

coordinator_actor::behavior_type coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
                                             std::shared_ptr<const runtime_env> env,
                                             std::shared_ptr<store> db);

}  // namespace meshjobs
