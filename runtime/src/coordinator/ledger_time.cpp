// Time and restarts: scheduled jobs coming due, dead jobs ageing out, and the ledger rebuilt
// from the store after a restart (a job its node died running is requeued, or dead as poison).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "coordinator/job_ledger.hpp"
#include "meshjobs/messages/time_limits.hpp"

namespace meshjobs {

namespace {
constexpr int poison_recoveries = 3;
}

void job_ledger::prune_dead() {
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

void job_ledger::promote_due() {
  const auto now = env_->now();
  for (auto [at, id] : scheduled_.pop_due(now)) {
    auto j = db_->get(id);
    if (!j || (j->state != job_state::scheduled && j->state != job_state::retrying) || j->run_at != at)
      continue;  // cancelled or moved since
    auto q = queues_.find(j->queue);
    if (!q) {
      j->last_error = {"unknown_queue", "queue \"" + j->queue + "\" is not in this node's config",
                       env_->cfg.node.name};
      record_dead(*j);
      continue;
    }
    j->state = job_state::enqueued;
    j->run_at = 0;
    db_->put(*j);
    queues_.push(*q, lane_of(j->kind), j->priority, j->id);
  }
}

void job_ledger::recover() {
  std::vector<job> live;
  db_->for_each([&](const job& j) {
    live.push_back(j);
    return true;
  });
  std::sort(live.begin(), live.end(), [](const job& a, const job& b) { return a.id < b.id; });
  std::size_t requeued = 0, poisoned = 0;
  for (auto& j : live) {
    if (is_final(j.state) && j.state != job_state::dead)
      continue;  // finished jobs kept for lookups: nothing to resume, no lock to take
    if (j.state == job_state::running) {
      // Its node died mid-run: run it again without spending an attempt, unless that keeps
      // happening, which means the job itself kills its node.
      j.recoveries += 1;
      j.attempt = std::max(0, j.attempt - 1);
      if (j.recoveries >= poison_recoveries) {
        j.last_error = {std::string{error_kinds::poison},
                        "its node died while running it " + std::to_string(j.recoveries) + " times",
                        env_->cfg.node.name};
        record_dead(j);
        ++poisoned;
        continue;
      }
      j.state = job_state::enqueued;
      db_->put(j);
      ++requeued;
    }
    switch (j.state) {
      case job_state::enqueued:
        if (auto q = queues_.find(j.queue)) {
          queues_.push(*q, lane_of(j.kind), j.priority, j.id);
        } else {
          j.last_error = {"unknown_queue", "queue \"" + j.queue + "\" is not in this node's config",
                          env_->cfg.node.name};
          record_dead(j);
          continue;
        }
        break;
      case job_state::scheduled:
      case job_state::retrying:
        scheduled_.add(j.run_at, j.id);
        break;
      case job_state::dead:
        dead_order_.emplace_back(j.finished_at, j.id);
        break;
      default:
        break;
    }
    // A dead job gave its lock back when it died (record_dead); it does not take it again.
    if ((j.unique == unique_mode::until_executed || j.unique == unique_mode::until_executing) &&
        j.state != job_state::dead)
      locks_.try_acquire(j.unique_key, j.id);
  }
  std::sort(dead_order_.begin(), dead_order_.end());
  prune_dead();
  if (!live.empty())
    spdlog::info("recovered {} jobs from the store ({} requeued after a crash, {} poison)",
                 live.size(), requeued, poisoned);
}

timestamp job_ledger::next_timed_change() const {
  const timestamp due = scheduled_.earliest();
  if (dead_order_.empty())
    return due;
  const timestamp dead_expiry = dead_order_.front().first + dead_max_age_us();
  return due == 0 ? dead_expiry : std::min(due, dead_expiry);
}

timestamp job_ledger::dead_max_age_us() const {
  // A config built in code skipped the loader's bound; past it, now - age would overflow.
  return std::clamp<timestamp>(env_->cfg.store.dead_max_age_s, 0, max_time_ahead_s) * 1000000;
}

}  // namespace meshjobs
