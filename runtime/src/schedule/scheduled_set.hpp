// Jobs waiting for their time (scheduled or retrying), earliest first. A job that stops waiting
// early (cancelled, withdrawn) is removed at once, so the timer never wakes for it.
#pragma once

#include <cstddef>
#include <set>
#include <utility>
#include <vector>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class scheduled_set {
 public:
  void add(timestamp run_at, job_id id) { entries_.emplace(run_at, id); }
  /// False when the job was not waiting for `run_at`.
  bool remove(timestamp run_at, job_id id) { return entries_.erase({run_at, id}) != 0; }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  /// The earliest run_at held (0 when empty).
  timestamp earliest() const { return entries_.empty() ? 0 : entries_.begin()->first; }
  /// Removes and returns the entries due at `now`, earliest first.
  std::vector<std::pair<timestamp, job_id>> pop_due(timestamp now);

 private:
  using entry = std::pair<timestamp, job_id>;
  std::set<entry> entries_;
};

}  // namespace meshjobs
