// Jobs waiting for their time (scheduled or retrying), earliest first. A cancelled job is
// dropped lazily: `pop_due` returns ids the caller checks against the store.
#pragma once

#include <cstddef>
#include <queue>
#include <utility>
#include <vector>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class scheduled_set {
 public:
  void add(timestamp run_at, job_id id) { heap_.emplace(run_at, id); }
  bool empty() const { return heap_.empty(); }
  /// The earliest run_at held (0 when empty).
  timestamp earliest() const { return heap_.empty() ? 0 : heap_.top().first; }
  /// Removes and returns the entries due at `now`, earliest first.
  std::vector<std::pair<timestamp, job_id>> pop_due(timestamp now);

 private:
  using entry = std::pair<timestamp, job_id>;
  std::priority_queue<entry, std::vector<entry>, std::greater<entry>> heap_;
};

}  // namespace meshjobs
