// Workers and dispatch by credit: a job goes to a worker of its kind only while that worker has
// free slots it asked to fill (its kind's lane is open), the node is under its concurrency and
// the queue under its limit.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "coordinator/job_ledger.hpp"

namespace meshjobs {

std::string job_ledger::register_worker(worker_actor handle, const worker_registration& reg,
                                        worker_id& id) {
  if (reg.capacity <= 0)
    return "register: capacity must be > 0 (got " + std::to_string(reg.capacity) + ")";
  if (reg.kinds.empty())
    return "register: no kinds";
  std::vector<std::uint32_t> lanes;
  for (const auto& kind : reg.kinds) {
    auto found = env_->spec_index.find(kind);
    if (found == env_->spec_index.end())
      return "register: kind \"" + kind + "\" is unknown to this coordinator";
    lanes.push_back(found->second);
  }
  auto& w = workers_.add(std::move(handle), reg.node, std::move(lanes), reg.capacity);
  id = w.id;
  update_lanes_of(w);
  return {};
}

void job_ledger::worker_lost(worker_id id) {
  auto* w = workers_.find(id);
  if (w == nullptr)
    return;
  std::vector<job_outcome> lost;
  for (const auto& [job, entry] : running_) {
    if (entry.worker != id)
      continue;
    job_outcome o;
    o.id = job;
    o.kind = outcome_kind::requeued;
    lost.push_back(o);
  }
  if (!lost.empty())
    spdlog::warn("worker {} on {} is gone: its {} running jobs go back to their queues", id,
                 w->node, lost.size());
  apply_outcomes(id, lost);
  const auto lanes = w->lanes;
  workers_.remove(id);
  for (auto lane : lanes)
    update_lane(lane);
}

void job_ledger::add_credit(worker_id id, std::int32_t credit) {
  auto* w = workers_.find(id);
  if (w == nullptr || credit <= 0)
    return;
  // Never more than it can hold: a worker that asks twice for the same slots is not trusted.
  w->credit = std::min<std::int64_t>(std::int64_t{w->credit} + credit,
                                     std::int64_t{w->capacity} - static_cast<std::int64_t>(w->running));
  update_lanes_of(*w);
}

void job_ledger::set_paused(worker_id id, timestamp until) {
  auto* w = workers_.find(id);
  if (w == nullptr)
    return;
  w->paused_until = until;
  update_lanes_of(*w);
  announce_kinds(*w, until);
}

void job_ledger::dispatch() {
  if (stopping_)
    return;
  // A head runs no jobs itself: its workers' capacities bound what runs in the cluster.
  const auto concurrency = env_->cfg.node.role == node_role::head
                             ? std::numeric_limits<std::size_t>::max()
                             : static_cast<std::size_t>(env_->cfg.concurrency);
  const auto now = env_->now();
  // A full node still starts jobs of kinds outside its concurrency (a batch that waits): the
  // lanes of the other kinds are closed for the rest of this pass.
  const bool some_uncounted = std::any_of(env_->specs.begin(), env_->specs.end(),
                                          [](const auto& s) { return !s.counts_against_concurrency; });
  std::vector<std::uint32_t> held_lanes;
  for (;;) {
    const bool node_full = running_.size() - uncounted_running_ >= concurrency;
    if (node_full && !some_uncounted)
      break;
    auto taken = queues_.take();
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
    const auto lane = static_cast<std::uint32_t>(taken->lane);
    auto* worker = workers_.pick(lane);
    if (worker == nullptr || (node_full && env_->specs[lane].counts_against_concurrency)) {
      queues_.push_front(taken->queue, taken->lane, taken->priority, taken->id);
      queues_.open_lane(taken->lane, false);
      held_lanes.push_back(lane);
      continue;
    }
    if (j.unique == unique_mode::while_executing && !locks_.try_acquire(j.unique_key, j.id)) {
      locks_.wait(j.unique_key, j.id);
      continue;
    }
    start_job(j, *worker, lane, static_cast<std::uint32_t>(taken->queue), now);
  }
  for (auto lane : held_lanes)
    update_lane(lane);
}

void job_ledger::start_job(job& j, worker_entry& w, std::uint32_t lane, std::uint32_t queue,
                           timestamp now) {
  if (j.unique == unique_mode::until_executing)
    locks_.release(j.unique_key, j.id);
  j.state = job_state::running;
  j.attempt += 1;
  j.started_at = now;
  j.run = ++last_run_;
  db_->put(j);
  enter_running(j, w, lane, queue);
  progress_.erase(j.id);  // a new attempt reports afresh
  w.credit -= 1;
  if (w.credit <= 0)
    update_lanes_of(w);
  // A pass dispatches to few workers: a short search beats a map.
  auto& batches = effects_.dispatches;
  auto batch = std::find_if(batches.begin(), batches.end(),
                            [&](const ledger_effects::dispatch_batch& b) { return b.worker == w.id; });
  if (batch == batches.end())
    batch = batches.insert(batches.end(), {w.id, w.handle, {}});
  batch->jobs.push_back(std::move(j));
}

void job_ledger::enter_running(const job& j, worker_entry& w, std::uint32_t lane, std::uint32_t queue) {
  running_.emplace(j.id, running_entry{w.id, queue, lane, j.attempt, j.enqueued_at, j.started_at, j.run});
  if (!env_->specs[lane].counts_against_concurrency)
    uncounted_running_ += 1;
  queues_.started(queue);
  kinds_[lane].running += 1;
  w.running += 1;
}

std::size_t job_ledger::lane_of(const std::string& kind) const {
  auto spec = env_->spec_index.find(kind);
  return spec == env_->spec_index.end() ? unknown_kind_lane() : spec->second;
}

void job_ledger::update_lane(std::uint32_t lane) { queues_.open_lane(lane, workers_.lane_open(lane)); }

void job_ledger::update_lanes_of(const worker_entry& w) {
  for (auto lane : w.lanes)
    update_lane(lane);
}

}  // namespace meshjobs
