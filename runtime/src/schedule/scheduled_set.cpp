#include "schedule/scheduled_set.hpp"

namespace meshjobs {

std::vector<std::pair<timestamp, job_id>> scheduled_set::pop_due(timestamp now) {
  std::vector<entry> due;
  auto end = entries_.upper_bound({now, ~job_id{0}});
  due.assign(entries_.begin(), end);
  entries_.erase(entries_.begin(), end);
  return due;
}

}  // namespace meshjobs
