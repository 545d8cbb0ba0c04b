// The workers that registered with the coordinator: which kinds each runs, on which node, how
// much credit it offered (free slots it asked to fill), how many of its jobs run, and whether
// it paused its kinds (restart intensity). A kind's lane in the queues is open while one of its
// workers has credit and is not paused. Workers are numbered in the order they registered;
// a number is never reused, so a message about a worker that is gone finds nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "meshjobs/messages/interfaces.hpp"

namespace meshjobs {

using worker_id = std::uint64_t;

struct worker_entry {
  worker_id id = 0;
  worker_actor handle;
  std::string node;
  std::vector<std::uint32_t> lanes;  ///< the kinds it runs, as their lanes
  std::int32_t capacity = 0;
  std::int32_t credit = 0;
  std::uint64_t running = 0;
  timestamp paused_until = 0;  ///< 0: taking work

  bool usable() const { return credit > 0 && paused_until == 0; }
};

class worker_registry {
 public:
  explicit worker_registry(std::size_t lanes) : by_lane_(lanes) {}

  /// A new worker, its first credit its capacity.
  worker_entry& add(worker_actor handle, std::string node, std::vector<std::uint32_t> lanes,
                    std::int32_t capacity);
  /// Forgets a worker; its running jobs are the ledger's to requeue.
  void remove(worker_id id);
  worker_entry* find(worker_id id);
  const worker_entry* find(worker_id id) const;

  /// The worker that takes the next job of `lane`: the usable one with the most credit, so
  /// work spreads over the workers of a kind. Null when none is usable.
  worker_entry* pick(std::uint32_t lane);
  /// True while some worker of `lane` can take a job.
  bool lane_open(std::uint32_t lane) const;
  /// True when `lane` has workers and every one of them is paused.
  bool lane_paused(std::uint32_t lane) const;

  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [id, w] : workers_)
      fn(w);
  }
  std::size_t size() const { return workers_.size(); }

 private:
  std::unordered_map<worker_id, worker_entry> workers_;
  std::vector<std::vector<worker_id>> by_lane_;
  worker_id next_ = 1;
};

}  // namespace meshjobs
