// The coordinator's life around dispatch: recovery on start, cancel, lookups, stats, durable
// acknowledgements and the graceful stop.
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "coordinator/coordinator.hpp"
#include "events/event_bus.hpp"
#include "supervision/worker_pool.hpp"

namespace meshjobs {

namespace {
constexpr int poison_recoveries = 3;
}

void coordinator_state::init(self_pointer self, std::shared_ptr<const runtime_env> env,
                             std::shared_ptr<store> db) {
  self_ = self;
  env_ = std::move(env);
  db_ = std::move(db);
  queues_.emplace(env_->cfg, env_->types.size() + 1);  // + the lane of unknown kinds
  queues_->open_lane(unknown_kind_lane(), true);        // their jobs go to the dead set at once
  batches_.resize(env_->types.size());
  if (!env_->cfg.schedule.empty() && env_->cfg.node.role != node_role::worker) {
    cron_.emplace(env_->cfg.schedule);
    for (std::size_t i = 0; i < cron_->size(); ++i)
      cron_->restore(i, db_->cron_last_run(cron_->at(i).cfg.name), env_->now());
  }
}

void coordinator_state::recover() {
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
        if (auto q = queues_->find(j.queue)) {
          queues_->push(*q, lane_of(j.kind), j.priority, j.id);
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

cancel_status coordinator_state::cancel(job_id id) {
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
      if (entry != running_.end())
        self_->send(supervisors[entry->second.supervisor].handle, cancel_atom::value, id);
      return cancel_status::stopping;
    }
    default:
      return cancel_status::finished;
  }
}

void coordinator_state::stop_waiting(const job& j) {
  if (j.state == job_state::scheduled || j.state == job_state::retrying) {
    scheduled_.remove(j.run_at, j.id);
    return;
  }
  auto held = std::find_if(held_.begin(), held_.end(), [&](const held_job& h) { return h.id == j.id; });
  if (held != held_.end()) {
    held_.erase(held);
    return;
  }
  auto q = queues_->find(j.queue);
  bool removed = q && queues_->remove(*q, lane_of(j.kind), j.priority, j.id);
  if (!removed && j.unique == unique_mode::while_executing)
    locks_.drop_waiter(j.unique_key, j.id);
}

bool coordinator_state::retry_dead(job_id id) {
  auto j = db_->get(id);
  if (!j || j->state != job_state::dead)
    return false;
  auto q = queues_->find(j->queue);
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
  queues_->push(*q, lane_of(j->kind), j->priority, j->id);
  announce(*j, event_kind::enqueued);
  return true;
}

// Finished jobs past their age go first, so neither answer shows one (O(1) a job dropped).
job_lookup coordinator_state::lookup(job_id id) const {
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

job_page coordinator_state::query(job_query q) const {
  db_->prune_finished(env_->now());
  q.limit = std::min(q.limit, job_query::max_limit);
  job_page page = db_->query(q);
  for (auto& j : page.jobs)
    if (j.state == job_state::running)
      add_progress(j);
  return page;
}

runtime_stats coordinator_state::stats() const {
  runtime_stats s;
  s.enqueued = db_->count(job_state::enqueued);
  s.retrying = db_->count(job_state::retrying);
  s.scheduled = db_->count(job_state::scheduled) + s.retrying;
  s.running = running_.size();
  s.dead = db_->count(job_state::dead);
  s.processed = processed_;
  s.failed = failed_;
  s.store_healthy = store_health_.healthy();
  s.store_error = store_health_.error();
  s.store_failures = store_health_.failures();
  s.queues = queues_->stats();
  for (std::size_t i = 0; i < supervisors.size(); ++i) {
    const auto& sup = supervisors[i];
    type_stats t;
    t.kind = env_->types[i]->kind;
    t.running = sup.running;
    t.succeeded = sup.succeeded;
    t.failed = sup.failed;
    t.paused = sup.paused_until != 0;
    t.paused_until = sup.paused_until;
    s.types.push_back(std::move(t));
  }
  auto pool = env_->pool->stats();
  s.pool_threads = pool.threads;
  s.pool_written_off = pool.written_off;
  s.subscribers = env_->events->stats();
  return s;
}

void coordinator_state::begin_stop() {
  if (stopping)
    return;
  stopping = true;
  spdlog::info("stopping: no new work; {} running jobs get {}s to finish", running_.size(),
               env_->cfg.timeout_s);
  for (auto& sup : supervisors)
    self_->send(sup.handle, stop_atom::value);
}

void coordinator_state::on_durable(std::uint64_t seq, const std::string& error) {
  commit_in_flight_ = false;
  if (error.empty()) {
    store_health_.succeeded();
    release_held(seq);
  } else {
    commit_waiting_ = true;
    self_->delayed_send(self_, store_health_.failed(error), durable_atom::value);
  }
  while (!in_flight_acks_.empty() && in_flight_acks_.front().seq <= seq) {
    in_flight_acks_.front().deliver(error);
    in_flight_acks_.pop_front();
  }
  if (stop_seq_ != 0 && seq >= stop_seq_) {
    for (auto& rp : stop_waiters)
      rp.deliver(true);
    stop_waiters.clear();
  }
  after_change();  // held jobs were released, refused ones withdrawn
}

void coordinator_state::retry_commit() {
  commit_waiting_ = false;
  maybe_commit();
}

void coordinator_state::maybe_commit() {
  if (commit_in_flight_ || commit_waiting_ || (!db_->dirty() && unassigned_acks_.empty()))
    return;
  auto seq = next_seq_++;
  for (auto& deliver : unassigned_acks_)
    in_flight_acks_.push_back(pending_ack{seq, std::move(deliver)});
  unassigned_acks_.clear();
  commit_in_flight_ = true;
  auto me = caf::actor_cast<coordinator_actor>(self_);
  db_->commit([me, seq](std::string error) {
    caf::anon_send(me, durable_atom::value, seq, std::move(error));
  });
}

bool coordinator_state::idle() const {
  return running_.empty() && queues_->total() == 0 && held_.empty() && locks_.waiting() == 0 &&
         db_->count(job_state::scheduled) == 0 && db_->count(job_state::retrying) == 0;
}

void coordinator_state::answer_waiters() {
  if (!drain_waiters.empty() && idle()) {
    for (auto& rp : drain_waiters)
      rp.deliver(true);
    drain_waiters.clear();
  }
  if (stopping && running_.empty() && !stop_waiters.empty() && stop_seq_ == 0) {
    // Everything has come back: answer once it is durable (see on_durable).
    if (!commit_in_flight_ && !db_->dirty()) {
      for (auto& rp : stop_waiters)
        rp.deliver(true);
      stop_waiters.clear();
      return;
    }
    stop_seq_ = db_->dirty() ? next_seq_ : next_seq_ - 1;
  }
}

void coordinator_state::after_change() {
  dispatch();
  arm_timers();
  flush_events();  // before the answers: a drained caller may then wait for the subscribers
  answer_waiters();
  maybe_commit();
}

}  // namespace meshjobs
