// Requests about a job that waits or is dead (cancel, retry), and the start of a stop.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "coordinator/job_ledger.hpp"

namespace meshjobs {

cancel_status job_ledger::cancel(job_id id) {
  auto found = db_->get(id);
  if (!found)
    return cancel_status::not_found;
  auto& j = *found;
  switch (j.state) {
    case job_state::enqueued:
    case job_state::scheduled:
    case job_state::retrying:
      stop_waiting(j);
      end_without_running(j, job_state::cancelled);
      return cancel_status::cancelled;
    case job_state::running: {
      auto entry = running_.find(id);
      if (entry == running_.end())
        return cancel_status::stopping;  // abandoned by a stop: its recovery will tell
      if (const auto* w = workers_.find(entry->second.worker))
        effects_.cancels.push_back({w->handle, id});
      return cancel_status::stopping;
    }
    default:
      return cancel_status::finished;
  }
}

void job_ledger::stop_waiting(const job& j) {
  if (j.state == job_state::scheduled || j.state == job_state::retrying) {
    scheduled_.remove(j.run_at, j.id);
    return;
  }
  auto held = std::find_if(held_.begin(), held_.end(), [&](const held_job& h) { return h.id == j.id; });
  if (held != held_.end()) {
    held_.erase(held);
    return;
  }
  auto q = queues_.find(j.queue);
  bool removed = q && queues_.remove(*q, lane_of(j.kind), j.priority, j.id);
  if (!removed && j.unique == unique_mode::while_executing)
    locks_.drop_waiter(j.unique_key, j.id);
}

bool job_ledger::retry_dead(job_id id) {
  auto j = db_->get(id);
  if (!j || j->state != job_state::dead)
    return false;
  auto q = queues_.find(j->queue);
  if (!q)
    return false;
  const auto dead_entry = std::make_pair(j->finished_at, j->id);
  j->state = job_state::enqueued;
  j->attempt = 0;
  j->recoveries = 0;
  j->finished_at = 0;
  j->run_at = 0;
  if (j->unique == unique_mode::until_executed || j->unique == unique_mode::until_executing)
    if (!locks_.try_acquire(j->unique_key, j->id))
      return false;
  // Its entry in the dead order goes too: left there, it would count twice and, once old
  // enough, prune the job (dead again by then) before its time.
  auto entry = std::find(dead_order_.begin(), dead_order_.end(), dead_entry);
  if (entry != dead_order_.end())
    dead_order_.erase(entry);
  db_->put(*j);
  queues_.push(*q, lane_of(j->kind), j->priority, j->id);
  announce(*j, event_kind::enqueued);
  return true;
}

void job_ledger::begin_stop() {
  if (stopping_)
    return;
  stopping_ = true;
  spdlog::info("stopping: no new work; {} running jobs get {}s to finish", running_.size(),
               env_->cfg.timeout_s);
  workers_.for_each([&](const worker_entry& w) { effects_.stops.push_back(w.handle); });
}

}  // namespace meshjobs
