// How running jobs end: the outcomes their workers report, and the final states a job can
// reach (finished into the history, dead into the dead set, back to its queue).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "coordinator/job_ledger.hpp"

namespace meshjobs {

bool job_ledger::adopt_late_outcome(worker_id from, const job_outcome& o) {
  if (o.attempt <= 0 || o.kind == outcome_kind::requeued || o.kind == outcome_kind::abandoned ||
      running_.count(o.id) != 0)
    return false;
  auto found = db_->get(o.id);
  if (!found || found->state != job_state::enqueued || found->attempt + 1 != o.attempt)
    return false;
  auto& j = *found;
  auto queue = queues_.find(j.queue);
  const auto lane = lane_of(j.kind);
  auto* w = workers_.find(from);
  if (!queue || lane == unknown_kind_lane() || w == nullptr || !queues_.remove(*queue, lane, j.priority, j.id))
    return false;  // held for a commit or waiting for a unique lock: it runs again instead
  if (j.unique == unique_mode::until_executing)
    locks_.release(j.unique_key, j.id);
  j.state = job_state::running;
  j.attempt = o.attempt;
  j.run = o.run;
  db_->put(j);
  enter_running(j, *w, static_cast<std::uint32_t>(lane), static_cast<std::uint32_t>(*queue));
  spdlog::info("job {} ({}): the outcome of attempt {} came after its worker was given up; the job "
               "had not run again, so it is applied", j.id, j.kind, o.attempt);
  return true;
}

void job_ledger::apply_outcomes(worker_id from, std::vector<job_outcome>& outcomes) {
  auto* worker = workers_.find(from);
  for (auto& o : outcomes) {
    auto entry = running_.find(o.id);
    if ((entry == running_.end() || entry->second.worker != from) && adopt_late_outcome(from, o))
      entry = running_.find(o.id);
    if (entry == running_.end() || entry->second.worker != from) {
      spdlog::warn("outcome for job {} from worker {}, which does not run it; ignored", o.id, from);
      continue;
    }
    // 0: a worker that does not say (all of this runtime's do).
    if (o.run != 0 && entry->second.run != o.run) {
      spdlog::warn("outcome for job {} from worker {} is of an earlier run (the job was handed out again); "
                   "ignored", o.id, from);
      continue;
    }
    const auto lane = entry->second.lane;
    auto& counters = kinds_[lane];
    queues_.finished(entry->second.queue);
    running_.erase(entry);
    if (!env_->specs[lane].counts_against_concurrency)
      uncounted_running_ -= 1;
    counters.running -= 1;
    if (worker != nullptr)
      worker->running -= 1;
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
      counters.failed += 1;
      j.last_error = o.error;
    }
    switch (o.kind) {
      case outcome_kind::succeeded:
        counters.succeeded += 1;
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
    admit_follow_ups(j, o.follow_ups);
  }
}

void job_ledger::admit_follow_ups(const job& after, const std::vector<enqueue_request>& follow_ups) {
  // Held until the commit that carries the outcome is durable: a follow-up must see the
  // records its outcome wrote, and must not run before the outcome would survive a crash.
  for (const auto& req : follow_ups) {
    auto reply = admit(req, true);
    if (reply.status == enqueue_status::refused)
      spdlog::error("job {} ({}): its follow-up {} was refused: {}", after.id, after.kind, req.kind,
                    reply.error);
  }
}

void job_ledger::requeue_front(job& j) {
  j.state = job_state::enqueued;
  j.run_at = 0;
  db_->put(j);
  if (auto q = queues_.find(j.queue))
    queues_.push_front(*q, lane_of(j.kind), j.priority, j.id);
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
void job_ledger::finish(job& j, job_state final_state, std::int64_t duration_us,
                               const job_error* error) {
  release_locks(j, true);
  j.state = final_state;
  if (j.finished_at == 0)
    j.finished_at = env_->now();
  job_ended(j);
  announce(j, event_for(final_state), duration_us, error);
  db_->put(j);
}

void job_ledger::expire(job& j) {
  j.last_error = {"expired", "not started before its deadline", env_->cfg.node.name};
  end_without_running(j, job_state::expired);
}

void job_ledger::end_without_running(job& j, job_state final_state) {
  finish(j, final_state, 0, j.last_error.empty() ? nullptr : &j.last_error);
}

void job_ledger::record_dead(job& j, std::int64_t duration_us) {
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

void job_ledger::release_locks(const job& j, bool final_outcome) {
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
          if (auto q = queues_.find(waiter->queue))
            queues_.push_front(*q, lane_of(waiter->kind), waiter->priority, waiter->id);
      }
      break;
    default:
      break;
  }
}

}  // namespace meshjobs
