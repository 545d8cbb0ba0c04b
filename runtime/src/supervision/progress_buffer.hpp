// Coalesces progress reports on their way to the coordinator: a supervisor keeps only the
// latest report of each job and forwards them together (every ~100 ms, and always before the
// outcomes it sends), so a handler that reports in a tight loop costs the coordinator little.
#pragma once

#include <unordered_map>
#include <vector>

#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

class progress_buffer {
 public:
  void report(job_id id, std::int32_t percent, std::string message) {
    auto& latest = latest_[id];
    latest.id = id;
    latest.percent = percent;
    latest.message = std::move(message);
  }
  bool empty() const { return latest_.empty(); }
  std::vector<job_progress> take() {
    std::vector<job_progress> out;
    out.reserve(latest_.size());
    for (auto& [id, p] : latest_)
      out.push_back(std::move(p));
    latest_.clear();
    return out;
  }

 private:
  std::unordered_map<job_id, job_progress> latest_;
};

}  // namespace meshjobs
