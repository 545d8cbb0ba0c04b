// The coordinator's behaviour: short handlers that delegate to coordinator_state.
#include "coordinator/coordinator.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "events/event_relay.hpp"
#include "supervision/supervisor.hpp"

namespace meshjobs {
namespace {

supervisor_actor spawn_supervisor(coordinator_state::self_pointer self,
                                  const std::shared_ptr<const runtime_env>& env, std::uint32_t index) {
  return self->spawn<caf::linked>(supervisor, caf::actor_cast<coordinator_actor>(self), index, env);
}

}  // namespace

coordinator_actor::behavior_type coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
                                             std::shared_ptr<const runtime_env> env,
                                             std::shared_ptr<store> db) {
  auto& st = self->state;
  st.init(self, env, std::move(db));
  for (std::uint32_t i = 0; i < env->types.size(); ++i)
    st.supervisors.push_back({spawn_supervisor(self, env, i)});
  // A supervisor that dies of a bug is replaced; its running jobs come back as requeued
  // outcomes when the new one reports nothing for them, so requeue them here.
  self->set_exit_handler([self, env](caf::exit_msg& msg) {
    auto& sups = self->state.supervisors;
    for (std::uint32_t i = 0; i < sups.size(); ++i) {
      if (sups[i].handle.address() != msg.source)
        continue;
      if (self->state.stopping)
        return;
      spdlog::error("supervisor of {} died ({}); restarting it", env->types[i]->kind,
                    to_string(msg.reason));
      sups[i].handle = spawn_supervisor(self, env, i);
      self->state.requeue_running_of(i);
      self->state.after_change();
      return;
    }
    self->quit(msg.reason);
  });
  st.recover();
  st.promote_due();
  st.fire_cron();
  st.after_change();
  return {
    [self](enqueue_atom, enqueue_request& req) -> caf::result<enqueue_reply> {
      auto rp = self->make_response_promise<enqueue_reply>();
      auto reply = self->state.enqueue(req);
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
        replies.push_back(self->state.enqueue(req));
        keys.push_back(std::move(req.idempotency_key));
      }
      self->state.ack_when_durable(rp, std::move(replies), std::move(keys));
      self->state.after_change();
      return rp;
    },
    [self](lookup_atom, job_id id) { return self->state.lookup(id); },
    [self](list_atom, const job_query& q) { return self->state.query(q); },
    [self](cancel_atom, job_id id) {
      auto status = self->state.cancel(id);
      self->state.after_change();
      return status;
    },
    [self](stats_atom) { return self->state.stats(); },
    [self](signal_atom, job_id id, const std::string& payload) { return self->state.signal(id, payload); },
    [self](watch_atom, const std::vector<job_id>& ids, const watcher_actor& watcher, std::uint64_t token) {
      self->state.watch(ids, watcher, token);
    },
    [self](progress_atom, std::uint32_t, std::vector<job_progress>& reports) {
      self->state.record_progress(reports);
      self->state.after_change();  // publishes the progress events
    },
    [self](pause_atom, const std::string& queue) { return self->state.pause_queue(queue, true); },
    [self](resume_atom, const std::string& queue) {
      auto ok = self->state.pause_queue(queue, false);
      self->state.after_change();
      return ok;
    },
    [self](retry_atom, job_id id) {
      auto ok = self->state.retry_dead(id);
      self->state.after_change();
      return ok;
    },
    [self](records_atom, std::vector<record_write>& writes) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      self->state.write_records(rp, std::move(writes));
      self->state.after_change();
      return rp;
    },
    [self](drain_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      self->state.drain_waiters.push_back(rp);
      self->state.after_change();
      return rp;
    },
    [self](stop_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      self->state.stop_waiters.push_back(rp);
      self->state.begin_stop();
      self->state.after_change();
      return rp;
    },
    [self, env](events_atom, caf::actor client) {
      spawn_event_relay(self, std::move(client), env->events);
      return true;
    },
    [self](tick_atom) {
      self->state.promote_due();
      self->state.fire_cron();
      self->state.after_change();
    },
    [self](tick_atom, std::uint64_t gen) {
      if (self->state.timer_fired(gen)) {
        self->state.promote_due();
        self->state.prune_dead();
        self->state.after_change();
      }
    },
    [self](cron_atom, std::uint64_t gen) {
      if (self->state.cron_timer_fired(gen)) {
        self->state.fire_cron();
        self->state.after_change();
      }
    },
    [self](durable_atom, std::uint64_t seq, const std::string& error) {
      self->state.on_durable(seq, error);
    },
    [self](durable_atom) { self->state.retry_commit(); },
    [self](demand_atom, std::uint32_t supervisor, std::int32_t credit) {
      self->state.add_credit(supervisor, credit);
      self->state.after_change();
    },
    [self](outcome_atom, std::uint32_t supervisor, std::vector<job_outcome>& outcomes) {
      self->state.apply_outcomes(supervisor, outcomes);
      self->state.after_change();
    },
    [self](backoff_atom, std::uint32_t supervisor, timestamp until) {
      self->state.set_paused(supervisor, until);
      self->state.announce_type(supervisor, until);
      self->state.after_change();
    },
  };
}

}  // namespace meshjobs
