#include "supervision/supervisor.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "supervision/execution.hpp"
#include "supervision/signal_inbox.hpp"
#include "supervision/worker_pool.hpp"

namespace meshjobs {
namespace {

std::int64_t micros(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

constexpr std::chrono::milliseconds progress_interval{100};

}  // namespace

void supervisor_state::init(self_pointer self, worker_interface head, client_interface client,
                            std::shared_ptr<const job_type> type, std::shared_ptr<const runtime_env> env) {
  self_ = self;
  head_ = std::move(head);
  client_ = std::move(client);
  env_ = std::move(env);
  type_ = std::move(type);
  where_ = env_->cfg.node.name + "/" + type_->kind;
  timeout_ = type_->timeout.count() > 0 ? type_->timeout
                                        : std::chrono::milliseconds(env_->cfg.timeout_s * 1000LL);
  backoff_ = type_->intensity.backoff;
  auto capacity = type_->concurrency > 0 ? type_->concurrency : env_->cfg.concurrency;
  slots_.resize(static_cast<std::size_t>(capacity));
  free_.reserve(slots_.size());
  for (std::size_t i = slots_.size(); i-- > 0;)
    free_.push_back(i);
  if (is_async())
    host_ = self_->spawn<caf::monitored>(async_host, caf::actor_cast<supervisor_actor>(self_), client_,
                                         type_, where_);
  worker_registration reg{env_->cfg.node.name, {type_->kind}, static_cast<std::int32_t>(capacity), {}};
  self_->request(head_, caf::infinite, register_atom::value, std::move(reg),
                 caf::actor_cast<worker_actor>(self_))
    .then([self = self_](const std::string& refused) {
      if (refused.empty())
        return;
      spdlog::error("{}: the coordinator refused this worker: {}", self->state.where_, refused);
      self->quit(caf::exit_reason::user_shutdown);
    });
}

void supervisor_state::spawn_slot(std::size_t i) {
  if (is_async())
    return;
  auto& s = slots_[i];
  s.cancel_flag = std::make_shared<std::atomic<bool>>(false);
  s.signals = std::make_shared<signal_inbox>();
  s.exec = self_->spawn<caf::monitored>(execution, caf::actor_cast<supervisor_actor>(self_), type_,
                                        env_->pool, where_, s.cancel_flag, client_, s.signals);
}

void supervisor_state::stop_execution(slot& s) {
  if (is_async()) {
    self_->send(host_, drop_atom::value, s.run);
    return;
  }
  s.cancel_flag->store(true);
  self_->send_exit(s.exec, caf::exit_reason::kill);
  if (type_->blocking && s.run != 0)
    env_->pool->write_off(s.run);
}

void supervisor_state::run(std::vector<job>& jobs) {
  const auto now = steady::now();
  std::vector<job_id> started;
  started.reserve(jobs.size());
  for (auto& j : jobs) {
    if (free_.empty() || stopping_) {
      // The coordinator gave more than the credit offered (a bug) or we are stopping: hand back.
      job_outcome o;
      o.id = j.id;
      o.attempt = j.attempt;
      o.run = j.run;
      o.kind = outcome_kind::requeued;
      outcomes_.push_back(std::move(o));
      continue;
    }
    auto i = free_.back();
    free_.pop_back();
    auto& s = slots_[i];
    if (!is_async() && !s.exec)
      spawn_slot(i);
    s.run = env_->pool->new_ticket();
    s.deadline = now + timeout_;
    s.cancel_requested = false;
    if (s.cancel_flag) {
      s.cancel_flag->store(false);
      s.signals->clear();
    }
    by_run_.emplace(s.run, i);
    started.push_back(j.id);
    s.current = std::move(j);
    if (is_async())
      self_->send(host_, run_atom::value, s.run, s.current);
    else
      self_->send(s.exec, run_atom::value, s.run, s.current);
    arm_deadline(s.deadline);
  }
  // Before any progress or outcome of these jobs: the coordinator hears of them in that order.
  if (!started.empty())
    self_->send(head_, started_atom::value, std::move(started));
  if (!outcomes_.empty())
    flush_outcomes();
}

void supervisor_state::done(std::uint64_t run, const job_error& error) {
  auto i = by_run_.find(run);
  if (i == by_run_.end())
    return;  // a run that timed out or was killed already has its outcome
  finish(i->second, error);
}

void supervisor_state::finish(std::size_t i, job_error error) {
  auto& s = slots_[i];
  const auto now = env_->now();
  auto outcome = decide(s, error, now);
  add_outcome_records(s.current, outcome);
  by_run_.erase(s.run);
  s.run = 0;
  s.current = job{};
  free_.push_back(i);
  credit_owed_ += 1;
  outcomes_.push_back(std::move(outcome));
  if (outcomes_.size() == 1)
    self_->send(self_, outcome_atom::value);  // flush after what is already in the mailbox
}

void supervisor_state::add_outcome_records(const job& j, job_outcome& outcome) const {
  if (outcome.kind == outcome_kind::requeued || outcome.kind == outcome_kind::abandoned)
    return;
  try {
    if (type_->outcome_records)
      outcome.records = type_->outcome_records(j, outcome);
    if (type_->outcome_jobs)
      outcome.follow_ups = type_->outcome_jobs(j, outcome);
  } catch (const std::exception& e) {
    outcome.records.clear();
    outcome.follow_ups.clear();
    spdlog::error("{}: outcome_records or outcome_jobs of job {} threw: {}; its outcome goes on "
                  "without records or follow-up jobs", type_->kind, j.id, e.what());
  }
}

job_outcome supervisor_state::decide(slot& s, const job_error& error, timestamp now) {
  job_outcome o;
  o.id = s.current.id;
  o.attempt = s.current.attempt;
  o.run = s.current.run;
  o.finished_at = now;
  o.error = error;
  // A handler asked to stop usually returns early without an error: it was cancelled all the
  // same, whether it returned, threw or was killed after its grace.
  if (s.cancel_requested) {
    o.kind = outcome_kind::cancelled;
    return o;
  }
  if (error.empty()) {
    o.kind = outcome_kind::succeeded;
    backoff_ = type_->intensity.backoff;
    return o;
  }
  if (error.kind == error_kinds::shutdown) {
    o.kind = outcome_kind::abandoned;
    return o;
  }
  count_failure();
  auto d = type_->retry.decide(s.current, error, rng_);
  switch (d.what) {
    case retry_policy::action::retry:
      o.kind = outcome_kind::retry;
      o.retry_at = o.finished_at + micros(d.wait);
      break;
    case retry_policy::action::dead:
      o.kind = outcome_kind::dead;
      break;
    case retry_policy::action::discard:
      o.kind = outcome_kind::discarded;
      if (d.on_discard != nullptr && *d.on_discard)
        run_discard_handler(*d.on_discard, s.current, error);
      break;
  }
  return o;
}

// A discard handler is user code that may block: it runs on the worker pool, after the
// supervisor has moved on. `type_` keeps the handler alive until then.
void supervisor_state::run_discard_handler(const retry_policy::discard_handler& handler,
                                           const job& j, const job_error& error) {
  env_->pool->post(env_->pool->new_ticket(),
                   [type = type_, &handler, j, error](const worker_pool::lifeline&) {
                     try {
                       handler(j, error);
                     } catch (const std::exception& e) {
                       spdlog::error("{}: discard handler of job {} threw: {}", type->kind, j.id, e.what());
                     } catch (...) {
                       spdlog::error("{}: discard handler of job {} threw", type->kind, j.id);
                     }
                   });
}

void supervisor_state::count_failure() {
  const auto& limits = type_->intensity;
  const auto now = steady::now();
  failures_.push_back(now);
  while (!failures_.empty() && failures_.front() < now - limits.window)
    failures_.pop_front();
  if (paused_ || static_cast<int>(failures_.size()) <= limits.max_failures)
    return;
  paused_ = true;
  auto until = env_->now() + micros(backoff_);
  spdlog::warn("{}: {} failures within {} ms: pausing the type for {} ms", type_->kind,
               failures_.size(), limits.window.count(), backoff_.count());
  self_->send(head_, backoff_atom::value, until);
  self_->delayed_send(self_, backoff_, backoff_atom::value);
  backoff_ = std::min(backoff_ * 2, limits.max_backoff);
}

void supervisor_state::end_backoff() {
  paused_ = false;
  failures_.clear();
  spdlog::info("{}: back-off over, taking jobs again", type_->kind);
  self_->send(head_, backoff_atom::value, timestamp{0});
  flush_outcomes();
}

void supervisor_state::flush_outcomes() {
  if (!outcomes_.empty()) {
    flush_progress();  // a job's last progress reaches the coordinator before its outcome
    self_->send(head_, outcome_atom::value, std::move(outcomes_));
    outcomes_.clear();
  }
  if (!paused_ && !stopping_ && credit_owed_ > 0) {
    self_->send(head_, demand_atom::value, credit_owed_);
    credit_owed_ = 0;
  }
}

void supervisor_state::execution_down(const caf::actor_addr& source, const caf::error& reason) {
  if (is_async() && host_.address() == source) {
    spdlog::error("{}: the actor of its asynchronous jobs died ({}); restarting it", type_->kind,
                  caf::to_string(reason));
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].run != 0)
        finish(i, {std::string{error_kinds::crashed},
                   "asynchronous jobs' actor died: " + caf::to_string(reason), where_});
    host_ = self_->spawn<caf::monitored>(async_host, caf::actor_cast<supervisor_actor>(self_), client_,
                                         type_, where_);
    return;
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    if (s.exec.address() != source)
      continue;
    if (s.run != 0) {
      stop_execution(s);  // its actor is gone; a pool thread may still be in the handler
      finish(i, {std::string{error_kinds::crashed},
                 "execution actor died: " + caf::to_string(reason), where_});
    }
    spawn_slot(i);
    return;
  }
}

// A scan of the slots: a map from job to slot was measured to cost every job ~230
// instructions (bench/throughput under callgrind) to save work on cancels and signals only.
void supervisor_state::cancel(job_id id) {
  for (auto& s : slots_) {
    if (s.run == 0 || s.current.id != id)
      continue;
    s.cancel_requested = true;
    if (is_async()) {
      // Nothing to ask politely: its callbacks run only on messages, so it stops at once.
      stop_execution(s);
      finish(static_cast<std::size_t>(&s - slots_.data()),
             {std::string{error_kinds::cancelled}, "cancelled", where_});
      return;
    }
    s.cancel_flag->store(true);
    s.deadline = std::min(s.deadline, steady::now() + env_->cancel_grace);
    arm_deadline(s.deadline);
    return;
  }
}

void supervisor_state::arm_deadline(steady::time_point at) {
  if (at >= armed_for_)
    return;
  armed_for_ = at;
  auto delay = std::max(steady::duration::zero(), at - steady::now());
  self_->delayed_send(self_, std::chrono::duration_cast<std::chrono::microseconds>(delay),
                      deadline_atom::value);
}

void supervisor_state::check_deadlines() {
  const auto now = steady::now();
  armed_for_ = steady::time_point::max();
  auto next = steady::time_point::max();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    if (s.run == 0)
      continue;
    bool stop_expired = stopping_ && now >= stop_deadline_;
    if (now < s.deadline && !stop_expired) {
      next = std::min(next, s.deadline);
      continue;
    }
    stop_execution(s);
    job_error error;
    if (stop_expired && !s.cancel_requested)
      error = {std::string{error_kinds::shutdown}, "node stopping: not finished within its grace", where_};
    else if (s.cancel_requested)
      error = {std::string{error_kinds::cancelled}, "cancelled, killed after its grace period", where_};
    else
      error = {std::string{error_kinds::timeout},
               "execution exceeded its timeout of " + std::to_string(timeout_.count()) + " ms", where_};
    finish(i, std::move(error));
    spawn_slot(i);
  }
  if (stopping_ && next != steady::time_point::max())
    next = std::min(next, stop_deadline_);
  if (next != steady::time_point::max())
    arm_deadline(next);
}

void supervisor_state::kill_executions() {
  for (auto& s : slots_)
    if (s.exec)
      stop_execution(s);
  if (host_)
    self_->send_exit(host_, caf::exit_reason::kill);
}

void supervisor_state::signal(job_id id, std::string& payload) {
  for (auto& s : slots_) {
    if (s.run == 0 || s.current.id != id)
      continue;
    if (is_async())
      self_->send(host_, signal_atom::value, s.run, std::move(payload));
    else
      s.signals->push(std::move(payload));
    return;
  }
  // It ended since the coordinator looked: the signal has nobody to reach.
}

void supervisor_state::progress(std::uint64_t run, std::int32_t percent, std::string& message) {
  auto i = by_run_.find(run);
  if (i == by_run_.end())
    return;  // from a run that already ended
  progress_.report(slots_[i->second].current.id, std::clamp(percent, 0, 100), std::move(message));
  if (!progress_flush_armed_) {
    progress_flush_armed_ = true;
    self_->delayed_send(self_, progress_interval, progress_atom::value);
  }
}

void supervisor_state::progress_due() {
  progress_flush_armed_ = false;
  flush_progress();
}

void supervisor_state::flush_progress() {
  if (!progress_.empty())
    self_->send(head_, progress_atom::value, progress_.take());
}

void supervisor_state::stop() {
  stopping_ = true;
  stop_deadline_ = steady::now() + std::chrono::seconds(env_->cfg.timeout_s);
  if (!by_run_.empty())
    arm_deadline(stop_deadline_);
}

supervisor_actor::behavior_type supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                                           worker_interface head, client_interface client,
                                           std::shared_ptr<const job_type> type,
                                           std::shared_ptr<const runtime_env> env) {
  self->state.init(self, std::move(head), std::move(client), std::move(type), std::move(env));
  self->set_down_handler([self](caf::down_msg& msg) {
    self->state.execution_down(msg.source, msg.reason);
  });
  // Linked to its node's workers actor: when that goes, the executions go with this supervisor.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.kill_executions();
    self->quit(msg.reason);
  });
  return {
    [self](dispatch_atom, std::vector<job>& jobs) { self->state.run(jobs); },
    [self](cancel_atom, job_id id) { self->state.cancel(id); },
    [self](stop_atom) { self->state.stop(); },
    [self](done_atom, std::uint64_t run, const job_error& error) { self->state.done(run, error); },
    [self](deadline_atom) { self->state.check_deadlines(); },
    [self](backoff_atom) { self->state.end_backoff(); },
    [self](outcome_atom) { self->state.flush_outcomes(); },
    [self](signal_atom, job_id id, std::string& payload) { self->state.signal(id, payload); },
    [self](progress_atom, std::uint64_t run, std::int32_t percent, std::string& message) {
      self->state.progress(run, percent, message);
    },
    [self](progress_atom) { self->state.progress_due(); },
  };
}

}  // namespace meshjobs
