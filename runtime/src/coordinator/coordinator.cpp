// The coordinator's behaviour: short handlers that hand each message to the ledger, then
// carry out what it returns (after_change).
#include "coordinator/coordinator.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "events/event_relay.hpp"

namespace meshjobs {

coordinator_actor::behavior_type coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
                                             std::shared_ptr<const runtime_env> env,
                                             std::shared_ptr<store> db) {
  auto& st = self->state;
  st.init(self, env, std::move(db));
  // A worker is monitored from its registration: when it goes, its running jobs go back to
  // their queues, their attempts not counted.
  self->set_down_handler([self](caf::down_msg& msg) {
    self->state.worker_down(msg.source);
    self->state.after_change();
  });
  st.ledger().recover();
  st.ledger().promote_due();
  st.fire_cron();
  st.after_change();
  return {
    // client_interface
    [self](enqueue_atom, enqueue_request& req) -> caf::result<enqueue_reply> {
      auto rp = self->make_response_promise<enqueue_reply>();
      auto reply = self->state.ledger().admit(req);
      self->state.ack_when_durable(rp, std::move(reply), std::move(req.idempotency_key));
      self->state.after_change();
      return rp;
    },
    [self](enqueue_atom, std::vector<enqueue_request>& reqs) -> caf::result<std::vector<enqueue_reply>> {
      auto rp = self->make_response_promise<std::vector<enqueue_reply>>();
      std::vector<enqueue_reply> replies;
      std::vector<std::string> keys;
      replies.reserve(reqs.size());
      keys.reserve(reqs.size());
      for (auto& req : reqs) {
        replies.push_back(self->state.ledger().admit(req));
        keys.push_back(std::move(req.idempotency_key));
      }
      self->state.ack_when_durable(rp, std::move(replies), std::move(keys));
      self->state.after_change();
      return rp;
    },
    [self](lookup_atom, job_id id) { return self->state.ledger().lookup(id); },
    [self](list_atom, const job_query& q) { return self->state.ledger().query(q); },
    [self](cancel_atom, job_id id) {
      auto status = self->state.ledger().cancel(id);
      self->state.after_change();
      return status;
    },
    [self](stats_atom) { return self->state.stats(); },
    [self](pause_atom, const std::string& queue) { return self->state.ledger().pause_queue(queue, true); },
    [self](resume_atom, const std::string& queue) {
      auto ok = self->state.ledger().pause_queue(queue, false);
      self->state.after_change();
      return ok;
    },
    [self](retry_atom, job_id id) {
      auto ok = self->state.ledger().retry_dead(id);
      self->state.after_change();
      return ok;
    },
    [self](signal_atom, job_id id, const std::string& payload) {
      auto status = self->state.ledger().signal(id, payload);
      self->state.after_change();
      return status;
    },
    [self](watch_atom, const std::vector<job_id>& ids, const watcher_actor& watcher, std::uint64_t token) {
      self->state.ledger().watch(ids, watcher, token);
      self->state.after_change();
    },
    [self](drain_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      self->state.add_drain_waiter(rp);
      self->state.after_change();
      return rp;
    },
    [self](records_atom, std::vector<record_write>& writes) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      self->state.write_records(rp, std::move(writes));
      self->state.after_change();
      return rp;
    },
    [self, env](events_atom, caf::actor client) {
      spawn_event_relay(self, std::move(client), env->events);
      return true;
    },
    // worker_interface: the sender is the worker
    [self](register_atom, const worker_registration& reg, worker_actor handle) {
      auto error = self->state.register_worker(reg, std::move(handle));
      self->state.after_change();
      return error;
    },
    [self](demand_atom, std::int32_t credit) {
      if (auto w = self->state.sender_worker("demand")) {
        self->state.ledger().add_credit(*w, credit);
        self->state.after_change();
      }
    },
    [self](started_atom, const std::vector<job_id>& ids) {
      if (auto w = self->state.sender_worker("started")) {
        self->state.ledger().jobs_started(*w, ids);
        self->state.after_change();
      }
    },
    [self](progress_atom, std::vector<job_progress>& reports) {
      if (auto w = self->state.sender_worker("progress")) {
        self->state.ledger().record_progress(*w, reports);
        self->state.after_change();  // publishes the progress events
      }
    },
    [self](outcome_atom, std::vector<job_outcome>& outcomes) {
      if (auto w = self->state.sender_worker("outcome")) {
        self->state.ledger().apply_outcomes(*w, outcomes);
        self->state.after_change();
      }
    },
    [self](backoff_atom, timestamp until) {
      if (auto w = self->state.sender_worker("backoff")) {
        self->state.ledger().set_paused(*w, until);
        self->state.after_change();
      }
    },
    // internal_interface
    [self](tick_atom) {
      self->state.ledger().promote_due();
      self->state.fire_cron();
      self->state.after_change();
    },
    [self](tick_atom, std::uint64_t gen) { self->state.timer_fired(gen); },
    [self](cron_atom, std::uint64_t gen) { self->state.cron_timer_fired(gen); },
    [self](durable_atom, std::uint64_t seq, const std::string& error) {
      self->state.on_durable(seq, error);
    },
    [self](durable_atom) { self->state.retry_commit(); },
    [self](stop_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      self->state.begin_stop(rp);
      self->state.after_change();
      return rp;
    },
  };
}

}  // namespace meshjobs
