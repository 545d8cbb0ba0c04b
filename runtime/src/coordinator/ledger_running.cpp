// What the ledger does for jobs while they run: routes signals to the execution running a
// job, keeps the latest progress of each running job and publishes it, and tells watchers (an
// asynchronous job awaiting its children) when a job reaches a final state.
#include "coordinator/job_ledger.hpp"
#include "events/event_bus.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs {

void job_ledger::jobs_started(worker_id from, const std::vector<job_id>& ids) {
  if (!env_->events->wants(event_kind::started))
    return;
  for (auto id : ids) {
    auto entry = running_.find(id);
    if (entry == running_.end() || entry->second.worker != from)
      continue;  // ended already, or not this worker's
    const auto& r = entry->second;
    job_event e;
    e.what = event_kind::started;
    e.id = id;
    e.kind = env_->specs[r.lane].kind;
    e.queue = queues_.name(r.queue);
    e.attempt = r.attempt;
    e.enqueued_at = r.enqueued_at;
    e.started_at = r.started_at;
    publish(std::move(e));
  }
}

signal_status job_ledger::signal(job_id id, const std::string& payload) {
  if (json::check_object(payload, "payload"))
    return signal_status::refused;
  auto entry = running_.find(id);
  if (entry != running_.end()) {
    if (const auto* w = workers_.find(entry->second.worker)) {
      effects_.signals.push_back({w->handle, id, payload});
      return signal_status::delivered;
    }
  }
  if (db_->contains(id))
    return signal_status::not_running;
  return signal_status::not_found;
}

void job_ledger::record_progress(worker_id from, std::vector<job_progress>& reports) {
  for (auto& p : reports) {
    auto entry = running_.find(p.id);
    if (entry == running_.end() || entry->second.worker != from)
      continue;  // ended since (its outcome already came), or not this worker's job
    auto found = db_->get(p.id);
    if (!found)
      continue;
    auto& latest = progress_[p.id];
    latest = std::move(p);
    found->progress = latest.percent;
    found->progress_message = latest.message;
    announce(*found, event_kind::progress);
  }
}

void job_ledger::add_progress(job& j) const {
  auto p = progress_.find(j.id);
  if (p == progress_.end())
    return;
  j.progress = p->second.percent;
  j.progress_message = p->second.message;
}

void job_ledger::watch(const std::vector<job_id>& ids, const watcher_actor& watcher,
                              std::uint64_t token) {
  for (auto id : ids) {
    auto live = db_->get(id);
    if (live && !is_final(live->state)) {
      watchers_[id].push_back({watcher, token});
      continue;
    }
    job_end end;
    end.id = id;
    if (live) {
      end.found = true;
      end.state = live->state;
      end.error = live->last_error;
    }
    effects_.watched.push_back({watcher, token, std::move(end)});
  }
}

void job_ledger::job_ended(job& j) {
  if (auto p = progress_.find(j.id); p != progress_.end()) {
    j.progress = p->second.percent;
    j.progress_message = std::move(p->second.message);
    progress_.erase(p);
  }
  auto w = watchers_.find(j.id);
  if (w == watchers_.end())
    return;
  job_end end{j.id, true, j.state, j.last_error};
  for (const auto& entry : w->second)
    effects_.watched.push_back({entry.watcher, entry.token, end});
  watchers_.erase(w);
}

}  // namespace meshjobs
