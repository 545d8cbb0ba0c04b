// What the coordinator does for jobs while they run: routes signals to the execution running a
// job, keeps the latest progress of each running job and publishes it, and tells watchers (an
// asynchronous job awaiting its children) when a job reaches a final state.
#include <caf/typed_event_based_actor.hpp>

#include "coordinator/coordinator.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs {

signal_status coordinator_state::signal(job_id id, const std::string& payload) {
  if (json::check_object(payload, "payload"))
    return signal_status::refused;
  auto entry = running_.find(id);
  if (entry != running_.end()) {
    self_->send(supervisors[entry->second.supervisor].handle, signal_atom::value, id, payload);
    return signal_status::delivered;
  }
  if (db_->contains(id))
    return signal_status::not_running;
  return signal_status::not_found;
}

void coordinator_state::record_progress(std::vector<job_progress>& reports) {
  for (auto& p : reports) {
    if (running_.count(p.id) == 0)
      continue;  // ended since: its outcome already came
    auto found = db_->get(p.id);
    if (!found)
      continue;
    auto& latest = progress_[p.id];
    latest = std::move(p);
    found->progress = latest.percent;
    found->progress_message = latest.message;
    publish_progress(*found);
  }
}

void coordinator_state::publish_progress(const job& j) { announce(j, event_kind::progress); }

void coordinator_state::add_progress(job& j) const {
  auto p = progress_.find(j.id);
  if (p == progress_.end())
    return;
  j.progress = p->second.percent;
  j.progress_message = p->second.message;
}

void coordinator_state::watch(const std::vector<job_id>& ids, const watcher_actor& watcher,
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
    self_->send(watcher, watched_atom::value, token, std::move(end));
  }
}

void coordinator_state::job_ended(job& j) {
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
    self_->send(entry.watcher, watched_atom::value, entry.token, end);
  watchers_.erase(w);
}

}  // namespace meshjobs
