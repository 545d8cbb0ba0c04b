// What the coordinator does around its ledger: durable answers and commits, the workers'
// addresses, timers and cron, the stats a node adds, drain and stop.
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "coordinator/coordinator.hpp"
#include "events/event_bus.hpp"
#include "supervision/worker_pool.hpp"

namespace meshjobs {

void coordinator_state::init(self_pointer self, std::shared_ptr<const runtime_env> env,
                             std::shared_ptr<store> db) {
  self_ = self;
  env_ = std::move(env);
  db_ = std::move(db);
  ledger_.emplace(env_, db_);
  if (!env_->cfg.schedule.empty() && env_->cfg.node.role != node_role::worker) {
    cron_.emplace(env_->cfg.schedule);
    for (std::size_t i = 0; i < cron_->size(); ++i)
      cron_->restore(i, db_->cron_last_run(cron_->at(i).cfg.name), env_->now());
  }
}

void coordinator_state::ack_when_durable(caf::typed_response_promise<enqueue_reply> rp,
                                         enqueue_reply reply, std::string key) {
  if (reply.status == enqueue_status::refused || reply.status == enqueue_status::duplicate) {
    rp.deliver(std::move(reply));
    return;
  }
  // A replayed reply waits too: the first request's job may not be durable yet.
  acks_.add([this, rp, reply, key](const std::string& error) mutable {
    if (!error.empty())
      ledger_->withdraw_not_durable(reply, key, error);
    rp.deliver(std::move(reply));
  });
}

void coordinator_state::ack_when_durable(caf::typed_response_promise<std::vector<enqueue_reply>> rp,
                                         std::vector<enqueue_reply> replies, std::vector<std::string> keys) {
  acks_.add([this, rp, replies, keys](const std::string& error) mutable {
    if (!error.empty())
      for (std::size_t i = 0; i < replies.size(); ++i)
        ledger_->withdraw_not_durable(replies[i], keys[i], error);
    rp.deliver(std::move(replies));
  });
}

void coordinator_state::write_records(caf::typed_response_promise<std::string> rp,
                                      std::vector<record_write> writes) {
  db_->stage_records(std::move(writes));
  acks_.add([rp](const std::string& error) mutable { rp.deliver(error); });
}

std::optional<worker_id> coordinator_state::sender_worker(const char* what) {
  const auto& sender = self_->current_sender();
  auto found = sender ? workers_.find(caf::actor_cast<caf::actor_addr>(sender)) : workers_.end();
  if (found == workers_.end()) {
    spdlog::warn("coordinator: {} from {}, which is not a registered worker; ignored", what,
                 sender ? caf::to_string(sender) : std::string{"an anonymous sender"});
    return std::nullopt;
  }
  return found->second;
}

std::string coordinator_state::register_worker(const worker_registration& reg, worker_actor handle) {
  if (!handle)
    return "register: no worker handle";
  if (workers_.count(handle.address()) != 0)
    return "register: this worker is registered already";
  worker_id id = 0;
  auto error = ledger_->register_worker(handle, reg, id);
  if (!error.empty()) {
    spdlog::error("coordinator: worker on {} refused: {}", reg.node, error);
    return error;
  }
  workers_.emplace(handle.address(), id);
  self_->monitor(handle);
  if (!reg.finished.empty()) {
    auto finished = reg.finished;
    ledger_->apply_outcomes(id, finished);
  }
  return {};
}

void coordinator_state::worker_down(const caf::actor_addr& source) {
  auto found = workers_.find(source);
  if (found == workers_.end())
    return;
  if (!ledger_->stopping())
    spdlog::error("coordinator: worker {} is gone", found->second);
  ledger_->worker_lost(found->second);
  workers_.erase(found);
}

void coordinator_state::fire_cron() {
  if (!cron_ || ledger_->stopping())
    return;
  for (auto f : cron_->due(env_->now())) {
    const auto& entry = cron_->at(f.entry).cfg;
    enqueue_request req;
    req.kind = entry.kind;
    req.args = entry.args;
    req.queue = entry.queue;
    auto reply = ledger_->admit(req);
    db_->set_cron_last_run(entry.name, f.slot);
    if (reply.status == enqueue_status::refused)
      spdlog::error("cron {}: enqueue of {} refused: {}", entry.name, entry.kind, reply.error);
    else
      spdlog::info("cron {}: enqueued {} as job {} for slot {}", entry.name, entry.kind, reply.id,
                   f.slot);
  }
}

void coordinator_state::timer_fired(std::uint64_t gen) {
  if (!timer_.fired(gen))
    return;
  ledger_->promote_due();
  ledger_->prune_dead();
  after_change();
}

void coordinator_state::cron_timer_fired(std::uint64_t gen) {
  if (!cron_timer_.fired(gen))
    return;
  fire_cron();
  after_change();
}

void coordinator_state::on_durable(std::uint64_t seq, const std::string& error) {
  ledger_->commit_done(seq, error.empty());
  if (auto backoff = acks_.commit_done(seq, error))
    self_->delayed_send(self_, *backoff, durable_atom::value);
  if (stop_seq_ != 0 && seq >= stop_seq_) {
    for (auto& rp : stop_waiters_)
      rp.deliver(true);
    stop_waiters_.clear();
  }
  after_change();  // held jobs were released, refused ones withdrawn
}

void coordinator_state::retry_commit() {
  acks_.backoff_over();
  maybe_commit();
}

void coordinator_state::maybe_commit() {
  auto seq = acks_.begin_commit(db_->dirty());
  if (!seq)
    return;
  ledger_->commit_started(*seq);
  auto me = caf::actor_cast<coordinator_actor>(self_);
  db_->commit([me, seq = *seq](std::string error) {
    caf::anon_send(me, durable_atom::value, seq, std::move(error));
  });
}

runtime_stats coordinator_state::stats() const {
  auto s = ledger_->stats();
  s.node = env_->cfg.node.name;
  s.role = std::string{to_string(env_->cfg.node.role)};
  const auto& health = acks_.health();
  s.store_healthy = health.healthy();
  s.store_error = health.error();
  s.store_failures = health.failures();
  auto pool = env_->pool->stats();
  s.pool_threads = pool.threads;
  s.pool_written_off = pool.written_off;
  s.subscribers = env_->events->stats();
  return s;
}

void coordinator_state::begin_stop(caf::typed_response_promise<bool> rp) {
  stop_waiters_.push_back(std::move(rp));
  ledger_->begin_stop();
}

void coordinator_state::add_drain_waiter(caf::typed_response_promise<bool> rp) {
  drain_waiters_.push_back(std::move(rp));
}

void coordinator_state::answer_waiters() {
  if (!drain_waiters_.empty() && ledger_->idle()) {
    for (auto& rp : drain_waiters_)
      rp.deliver(true);
    drain_waiters_.clear();
  }
  if (ledger_->stopping() && ledger_->running() == 0 && !stop_waiters_.empty() && stop_seq_ == 0) {
    // Everything has come back: answer once it is durable (see on_durable).
    if (!acks_.in_flight() && !db_->dirty()) {
      for (auto& rp : stop_waiters_)
        rp.deliver(true);
      stop_waiters_.clear();
      return;
    }
    stop_seq_ = db_->dirty() ? acks_.next_seq() : acks_.next_seq() - 1;
  }
}

void coordinator_state::carry_out(ledger_effects& fx) {
  for (auto& batch : fx.dispatches)
    self_->send(batch.to, dispatch_atom::value, std::move(batch.jobs));
  for (auto& c : fx.cancels)
    self_->send(c.to, cancel_atom::value, c.id);
  for (auto& s : fx.signals)
    self_->send(s.to, signal_atom::value, s.id, std::move(s.payload));
  for (auto& w : fx.watched)
    self_->send(w.to, watched_atom::value, w.token, std::move(w.end));
  // Only this node's workers: a worker node outlives its head's stop and joins it again.
  for (auto& worker : fx.stops)
    if (worker.node() == self_->node())
      self_->send(worker, stop_atom::value);
  // Before the answers: a drained caller may then wait for the subscribers.
  if (!fx.events.empty())
    env_->events->publish(fx.events);
  const auto now = env_->now();
  if (auto t = timer_.arm(fx.wake_at, now))
    self_->delayed_send(self_, t->delay, tick_atom::value, t->gen);
  if (cron_)
    if (auto t = cron_timer_.arm(cron_->earliest(), now))
      self_->delayed_send(self_, t->delay, cron_atom::value, t->gen);
}

void coordinator_state::after_change() {
  ledger_->dispatch();
  ledger_->take_effects(fx_);
  carry_out(fx_);
  answer_waiters();
  maybe_commit();
}

}  // namespace meshjobs
