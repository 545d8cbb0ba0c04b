#include "job_table.hpp"

namespace meshjobs::mesher_service {

std::pair<job_entry, bool> job_table::add(job_entry entry) {
  std::lock_guard<std::mutex> guard{mutex_};
  const std::string id = entry.job_id;
  auto [it, added] = jobs_.emplace(id, std::move(entry));
  return {it->second, added};
}

std::optional<job_entry> job_table::find(const std::string& id) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = jobs_.find(id);
  if (it == jobs_.end())
    return std::nullopt;
  return it->second;
}

std::optional<job_table::updated> job_table::update(const std::string& id,
                                                    const std::function<void(job_entry&)>& change) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = jobs_.find(id);
  if (it == jobs_.end())
    return std::nullopt;
  bool was_finished = it->second.finished();
  change(it->second);
  updated out{it->second, {}};
  if (it->second.finished() && !was_finished) {
    if (auto w = waiters_.find(id); w != waiters_.end()) {
      out.waiters = std::move(w->second);
      waiters_.erase(w);
    }
    finished_order_.push_back(id);
    forget_old_finished();
  }
  return out;
}

bool job_table::wait(const std::string& id, http::responder waiter) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second.finished())
    return false;
  waiters_[id].push_back(std::move(waiter));
  return true;
}

void job_table::forget_old_finished() {
  while (finished_order_.size() > keep_) {
    jobs_.erase(finished_order_.front());
    finished_order_.pop_front();
  }
}

}  // namespace meshjobs::mesher_service
