#include "scheduled_set.hpp"

namespace meshjobs {

std::vector<std::pair<timestamp, job_id>> scheduled_set::pop_due(timestamp now) {
  std::vector<entry> due;
  while (!heap_.empty() && heap_.top().first <= now) {
    due.push_back(heap_.top());
    heap_.pop();
  }
  return due;
}

}  // namespace meshjobs
