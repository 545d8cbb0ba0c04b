#include "coordinator/worker_registry.hpp"

#include <algorithm>

namespace meshjobs {

worker_entry& worker_registry::add(worker_actor handle, std::string node,
                                   std::vector<std::uint32_t> lanes, std::int32_t capacity) {
  const auto id = next_++;
  for (auto lane : lanes)
    by_lane_[lane].push_back(id);
  auto& w = workers_[id];
  w.id = id;
  w.handle = std::move(handle);
  w.node = std::move(node);
  w.lanes = std::move(lanes);
  w.capacity = capacity;
  w.credit = capacity;
  return w;
}

void worker_registry::remove(worker_id id) {
  auto found = workers_.find(id);
  if (found == workers_.end())
    return;
  for (auto lane : found->second.lanes) {
    auto& ids = by_lane_[lane];
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
  }
  workers_.erase(found);
}

worker_entry* worker_registry::find(worker_id id) {
  auto found = workers_.find(id);
  return found == workers_.end() ? nullptr : &found->second;
}

const worker_entry* worker_registry::find(worker_id id) const {
  auto found = workers_.find(id);
  return found == workers_.end() ? nullptr : &found->second;
}

worker_entry* worker_registry::pick(std::uint32_t lane) {
  worker_entry* best = nullptr;
  for (auto id : by_lane_[lane]) {
    auto& w = workers_.find(id)->second;
    if (w.usable() && (best == nullptr || w.credit > best->credit))
      best = &w;
  }
  return best;
}

bool worker_registry::lane_open(std::uint32_t lane) const {
  for (auto id : by_lane_[lane])
    if (workers_.find(id)->second.usable())
      return true;
  return false;
}

bool worker_registry::lane_paused(std::uint32_t lane) const {
  const auto& ids = by_lane_[lane];
  return !ids.empty() && std::all_of(ids.begin(), ids.end(), [&](worker_id id) {
    return workers_.find(id)->second.paused_until != 0;
  });
}

}  // namespace meshjobs
