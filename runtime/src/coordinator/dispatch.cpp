// Dispatch by credit: jobs go to a supervisor only while it has free slots it asked to fill
// (its lane is open), the node is under its concurrency and the queue under its limit. Then
// the outcomes.
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "coordinator/coordinator.hpp"
#include "meshjobs/messages/time_limits.hpp"

namespace meshjobs {

void coordinator_state::dispatch() {
  if (stopping)
    return;
  const auto concurrency = static_cast<std::size_t>(env_->cfg.concurrency);
  const auto now = env_->now();
  // A full node still starts jobs of types outside its concurrency (a batch that waits): the
  // lanes of the other types are closed for the rest of this pass.
  const bool some_uncounted = std::any_of(env_->types.begin(), env_->types.end(),
                                          [](const auto& t) { return !t->counts_against_concurrency; });
  std::vector<std::uint32_t> held_lanes;
  for (;;) {
    const bool node_full = running_.size() - uncounted_running_ >= concurrency;
    if (node_full && !some_uncounted)
      break;
    auto taken = queues_->take();
    if (!taken)
      break;
    auto found = db_->get(taken->id);
    if (!found || found->state != job_state::enqueued) {
      spdlog::error("dispatch: job {} was queued but is {} in the store; dropped from the queue",
                    taken->id, found ? to_string(found->state) : "missing");
      continue;
    }
    auto& j = *found;
    if (j.expires_at != 0 && now > j.expires_at) {
      expire(j);
      continue;
    }
    if (taken->lane == unknown_kind_lane()) {
      j.last_error = {std::string{error_kinds::unknown_kind},
                      "no job type \"" + j.kind + "\" is registered on this node", env_->cfg.node.name};
      record_dead(j);
      continue;
    }
    if (node_full && env_->types[taken->lane]->counts_against_concurrency) {
      queues_->push_front(taken->queue, taken->lane, taken->priority, taken->id);
      queues_->open_lane(taken->lane, false);
      held_lanes.push_back(static_cast<std::uint32_t>(taken->lane));
      continue;
    }
    if (j.unique == unique_mode::while_executing && !locks_.try_acquire(j.unique_key, j.id)) {
      locks_.wait(j.unique_key, j.id);
      continue;
    }
    start_job(j, static_cast<std::uint32_t>(taken->lane), static_cast<std::uint32_t>(taken->queue), now);
  }
  for (auto lane : held_lanes)
    update_lane(lane);
  for (std::size_t s = 0; s < batches_.size(); ++s) {
    if (!batches_[s].empty()) {
      self_->send(supervisors[s].handle, dispatch_atom::value, std::move(batches_[s]));
      batches_[s].clear();
    }
  }
}

void coordinator_state::start_job(job& j, std::uint32_t supervisor, std::uint32_t queue,
                                  timestamp now) {
  if (j.unique == unique_mode::until_executing)
    locks_.release(j.unique_key, j.id);
  j.state = job_state::running;
  j.attempt += 1;
  j.started_at = now;
  db_->put(j);
  running_.emplace(j.id, running_entry{supervisor, queue});
  progress_.erase(j.id);  // a new attempt reports afresh
  if (!env_->types[supervisor]->counts_against_concurrency)
    uncounted_running_ += 1;
  queues_->started(queue);
  auto& sup = supervisors[supervisor];
  sup.credit -= 1;
  sup.running += 1;
  announce(j, event_kind::started);
  if (sup.credit <= 0)
    update_lane(supervisor);
  batches_[supervisor].push_back(std::move(j));
}

std::size_t coordinator_state::lane_of(const std::string& kind) const {
  auto type = env_->type_index.find(kind);
  return type == env_->type_index.end() ? unknown_kind_lane() : type->second;
}

void coordinator_state::update_lane(std::uint32_t supervisor) {
  const auto& sup = supervisors[supervisor];
  queues_->open_lane(supervisor, sup.credit > 0 && sup.paused_until == 0);
}

void coordinator_state::add_credit(std::uint32_t supervisor, std::int32_t credit) {
  supervisors[supervisor].credit += credit;
  update_lane(supervisor);
}

void coordinator_state::set_paused(std::uint32_t supervisor, timestamp until) {
  supervisors[supervisor].paused_until = until;
  update_lane(supervisor);
}

void coordinator_state::apply_outcomes(std::uint32_t supervisor, std::vector<job_outcome>& outcomes) {
  auto& sup = supervisors[supervisor];
  for (auto& o : outcomes) {
    auto entry = running_.find(o.id);
    if (entry == running_.end()) {
      spdlog::warn("outcome for job {} which is not running here; ignored", o.id);
      continue;
    }
    queues_->finished(entry->second.queue);
    running_.erase(entry);
    if (!env_->types[supervisor]->counts_against_concurrency)
      uncounted_running_ -= 1;
    sup.running -= 1;
    processed_ += 1;
    auto found = db_->get(o.id);
    if (!found)
      continue;
    auto& j = *found;
    // In the same commit as the job's new state: both are durable, or neither.
    if (!o.records.empty())
      db_->stage_records(std::move(o.records));
    j.finished_at = o.finished_at;
    const auto ran_for = j.started_at != 0 ? o.finished_at - j.started_at : 0;
    if (o.kind != outcome_kind::succeeded && o.kind != outcome_kind::cancelled &&
        o.kind != outcome_kind::requeued && o.kind != outcome_kind::abandoned) {
      failed_ += 1;
      sup.failed += 1;
      j.last_error = o.error;
    }
    switch (o.kind) {
      case outcome_kind::succeeded:
        sup.succeeded += 1;
        finish(j, job_state::succeeded, ran_for);
        break;
      case outcome_kind::retry:
        release_locks(j, false);
        j.state = job_state::retrying;
        j.run_at = o.retry_at;
        db_->put(j);
        scheduled_.add(j.run_at, j.id);
        announce(j, event_kind::retrying, ran_for, &o.error);
        break;
      case outcome_kind::dead:
        record_dead(j, ran_for);
        break;
      case outcome_kind::discarded:
        finish(j, job_state::discarded, ran_for, &o.error);
        break;
      case outcome_kind::cancelled:
        finish(j, job_state::cancelled, ran_for, &o.error);
        break;
      case outcome_kind::requeued:
        release_locks(j, false);
        j.attempt = std::max(0, j.attempt - 1);
        requeue_front(j);
        announce(j, event_kind::requeued);
        break;
      case outcome_kind::abandoned:
        // Its handler may still be running on a thread the stop leaves behind: as after a
        // crash, the store keeps it `running` and the next start requeues it.
        spdlog::warn("job {} ({}) still running when the stop's grace ended: left to recovery "
                     "(requeued on the next start, the attempt not counted)", j.id, j.kind);
        announce(j, event_kind::abandoned, ran_for, &o.error);
        break;
    }
  }
}

void coordinator_state::requeue_front(job& j) {
  j.state = job_state::enqueued;
  j.run_at = 0;
  db_->put(j);
  if (auto q = queues_->find(j.queue))
    queues_->push_front(*q, lane_of(j.kind), j.priority, j.id);
}

namespace {

event_kind event_for(job_state final_state) {
  switch (final_state) {
    case job_state::succeeded:
      return event_kind::succeeded;
    case job_state::cancelled:
      return event_kind::cancelled;
    case job_state::expired:
      return event_kind::expired;
    default:
      return event_kind::discarded;
  }
}

}  // namespace

// The store keeps `j` a while as finished (store: finished_max_jobs, finished_max_age).
void coordinator_state::finish(job& j, job_state final_state, std::int64_t duration_us,
                               const job_error* error) {
  release_locks(j, true);
  j.state = final_state;
  if (j.finished_at == 0)
    j.finished_at = env_->now();
  job_ended(j);
  announce(j, event_for(final_state), duration_us, error);
  db_->put(j);
}

void coordinator_state::expire(job& j) {
  j.last_error = {"expired", "not started before its deadline", env_->cfg.node.name};
  end_without_running(j, job_state::expired);
}

void coordinator_state::end_without_running(job& j, job_state final_state) {
  finish(j, final_state, 0, j.last_error.empty() ? nullptr : &j.last_error);
}

void coordinator_state::record_dead(job& j, std::int64_t duration_us) {
  release_locks(j, true);
  j.state = job_state::dead;
  if (j.finished_at == 0)
    j.finished_at = env_->now();
  job_ended(j);
  db_->put(j);
  announce(j, event_kind::dead, duration_us, &j.last_error);
  dead_order_.emplace_back(j.finished_at, j.id);
  prune_dead();
}

void coordinator_state::release_locks(const job& j, bool final_outcome) {
  switch (j.unique) {
    case unique_mode::until_executed:
      if (final_outcome)
        locks_.release(j.unique_key, j.id);
      break;
    case unique_mode::until_executing:
      locks_.release(j.unique_key, j.id);  // still held when it ends without starting
      break;
    case unique_mode::while_executing:
      if (locks_.holder(j.unique_key) != j.id)
        break;  // it never ran (cancelled or expired while waiting): the holder wakes the next
      locks_.release(j.unique_key, j.id);
      if (auto next = locks_.next_waiter(j.unique_key)) {
        if (auto waiter = db_->get(*next); waiter && waiter->state == job_state::enqueued)
          if (auto q = queues_->find(waiter->queue))
            queues_->push_front(*q, lane_of(waiter->kind), waiter->priority, waiter->id);
      }
      break;
    default:
      break;
  }
}

void coordinator_state::prune_dead() {
  const auto max_jobs = static_cast<std::size_t>(env_->cfg.store.dead_max_jobs);
  const auto oldest = env_->now() - dead_max_age_us();
  while (!dead_order_.empty() &&
         (dead_order_.size() > max_jobs || dead_order_.front().first < oldest)) {
    auto id = dead_order_.front().second;
    dead_order_.pop_front();
    if (auto j = db_->get(id); j && j->state == job_state::dead)
      db_->erase(id);
  }
}

void coordinator_state::promote_due() {
  const auto now = env_->now();
  for (auto [at, id] : scheduled_.pop_due(now)) {
    auto j = db_->get(id);
    if (!j || (j->state != job_state::scheduled && j->state != job_state::retrying) || j->run_at != at)
      continue;  // cancelled or moved since
    auto q = queues_->find(j->queue);
    if (!q) {
      j->last_error = {"unknown_queue", "queue \"" + j->queue + "\" is not in this node's config",
                       env_->cfg.node.name};
      record_dead(*j);
      continue;
    }
    j->state = job_state::enqueued;
    j->run_at = 0;
    db_->put(*j);
    queues_->push(*q, lane_of(j->kind), j->priority, j->id);
  }
}

void coordinator_state::fire_cron() {
  if (!cron_ || stopping)
    return;
  for (auto f : cron_->due(env_->now())) {
    const auto& entry = cron_->at(f.entry).cfg;
    enqueue_request req;
    req.kind = entry.kind;
    req.args = entry.args;
    req.queue = entry.queue;
    auto reply = enqueue(req);
    db_->set_cron_last_run(entry.name, f.slot);
    if (reply.status == enqueue_status::refused)
      spdlog::error("cron {}: enqueue of {} refused: {}", entry.name, entry.kind, reply.error);
    else
      spdlog::info("cron {}: enqueued {} as job {} for slot {}", entry.name, entry.kind, reply.id,
                   f.slot);
  }
}

bool coordinator_state::timer_fired(std::uint64_t gen) {
  if (gen != timer_gen_)
    return false;
  timer_at_ = 0;
  return true;
}

bool coordinator_state::cron_timer_fired(std::uint64_t gen) {
  if (gen != cron_gen_)
    return false;
  cron_at_ = 0;
  return true;
}

void coordinator_state::requeue_running_of(std::uint32_t supervisor) {
  std::vector<job_outcome> lost;
  for (const auto& [id, entry] : running_) {
    if (entry.supervisor != supervisor)
      continue;
    job_outcome o;
    o.id = id;
    o.kind = outcome_kind::requeued;
    lost.push_back(o);
  }
  supervisors[supervisor].credit = 0;
  update_lane(supervisor);
  apply_outcomes(supervisor, lost);
}

// Deadlines are wall-clock times, CAF's timers count on a steady clock: a timer never waits
// more than this at a time, and each wake-up compares the deadline with the wall clock again,
// so a jump of the wall clock (or of a test's manual clock) is seen within a second.
constexpr timestamp max_timer_wait_us = 1000000;

void coordinator_state::arm_timers() {
  using std::chrono::microseconds;
  const auto now = env_->now();
  auto arm = [&](timestamp at, timestamp& armed_at, std::uint64_t& gen, auto atom) {
    if (at == 0)
      return;
    const auto wake = std::min(at, now + max_timer_wait_us);
    if (armed_at != 0 && armed_at <= wake)
      return;
    armed_at = wake;
    gen += 1;
    self_->delayed_send(self_, microseconds(std::max<timestamp>(0, wake - now)), atom, gen);
  };
  arm(next_timed_change(), timer_at_, timer_gen_, tick_atom::value);
  if (cron_)
    arm(cron_->earliest(), cron_at_, cron_gen_, cron_atom::value);
}

timestamp coordinator_state::next_timed_change() const {
  const timestamp due = scheduled_.earliest();
  if (dead_order_.empty())
    return due;
  const timestamp dead_expiry = dead_order_.front().first + dead_max_age_us();
  return due == 0 ? dead_expiry : std::min(due, dead_expiry);
}

timestamp coordinator_state::dead_max_age_us() const {
  // A config built in code skipped the loader's bound; past it, now - age would overflow.
  return std::clamp<timestamp>(env_->cfg.store.dead_max_age_s, 0, max_time_ahead_s) * 1000000;
}

}  // namespace meshjobs
