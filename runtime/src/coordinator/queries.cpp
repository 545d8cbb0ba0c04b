// What the ledger answers without changing anything: a job by id, jobs by state, the stats.
#include "coordinator/job_ledger.hpp"

#include <algorithm>

namespace meshjobs {

job_lookup job_ledger::lookup(job_id id) const {
  job_lookup out;
  if (auto j = db_->get(id)) {
    out.found = true;
    out.value = std::move(*j);
    if (out.value.state == job_state::running)
      add_progress(out.value);
  } else if (const auto* finished = history_.find(id)) {
    out.found = true;
    out.value = *finished;
  }
  return out;
}

std::vector<job> job_ledger::list(job_state s, std::uint32_t limit) const {
  std::vector<job> out;
  if (limit == 0)
    return out;
  if (is_final(s) && s != job_state::dead) {
    history_.for_each_newest([&](const job& j) {
      if (j.state == s)
        out.push_back(j);
      return out.size() < limit;
    });
    return out;
  }
  db_->for_each(s, [&](const job& j) {
    out.push_back(j);
    return out.size() < limit;
  });
  std::sort(out.begin(), out.end(), [](const job& a, const job& b) { return a.id < b.id; });
  return out;
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
