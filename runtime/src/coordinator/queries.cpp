// What the ledger answers without changing anything: a job by id, jobs by state, the stats.
#include "coordinator/job_ledger.hpp"

#include <algorithm>

namespace meshjobs {

// Finished jobs past their age go first, so neither answer shows one (O(1) a job dropped).
job_lookup job_ledger::lookup(job_id id) const {
  db_->prune_finished(env_->now());
  job_lookup out;
  if (auto j = db_->get(id)) {
    out.found = true;
    out.value = std::move(*j);
    if (out.value.state == job_state::running)
      add_progress(out.value);
  }
  return out;
}

job_page job_ledger::query(job_query q) const {
  db_->prune_finished(env_->now());
  q.limit = std::min(q.limit, job_query::max_limit);
  job_page page = db_->query(q);
  for (auto& j : page.jobs)
    if (j.state == job_state::running)
      add_progress(j);
  return page;
}

runtime_stats job_ledger::stats() const {
  runtime_stats s;
  s.enqueued = db_->count(job_state::enqueued);
  s.retrying = db_->count(job_state::retrying);
  s.scheduled = db_->count(job_state::scheduled) + s.retrying;
  s.running = running_.size();
  s.dead = db_->count(job_state::dead);
  s.processed = processed_;
  s.failed = failed_;
  s.queues = queues_.stats();
  for (std::uint32_t lane = 0; lane < env_->specs.size(); ++lane) {
    const auto& counters = kinds_[lane];
    type_stats t;
    t.kind = env_->specs[lane].kind;
    t.running = counters.running;
    t.succeeded = counters.succeeded;
    t.failed = counters.failed;
    t.paused = workers_.lane_paused(lane);
    workers_.for_each([&](const worker_entry& w) {
      if (w.paused_until != 0 && std::count(w.lanes.begin(), w.lanes.end(), lane) != 0)
        t.paused_until = std::max(t.paused_until, w.paused_until);
    });
    s.types.push_back(std::move(t));
  }
  workers_.for_each([&](const worker_entry& w) {
    worker_stats out;
    out.id = w.id;
    out.node = w.node;
    for (auto lane : w.lanes)
      out.kinds.push_back(env_->specs[lane].kind);
    out.capacity = w.capacity;
    out.credit = w.credit;
    out.running = w.running;
    out.paused_until = w.paused_until;
    s.workers.push_back(std::move(out));
  });
  std::sort(s.workers.begin(), s.workers.end(),
            [](const worker_stats& a, const worker_stats& b) { return a.id < b.id; });
  return s;
}

bool job_ledger::idle() const {
  return running_.empty() && queues_.total() == 0 && held_.empty() && locks_.waiting() == 0 &&
         db_->count(job_state::scheduled) == 0 && db_->count(job_state::retrying) == 0;
}

}  // namespace meshjobs
