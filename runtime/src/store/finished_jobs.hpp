// Which finished jobs (succeeded, discarded, cancelled, expired) the store keeps, and for how
// long: at most `max_jobs`, none older than `max_age`, the oldest finished going first (Sidekiq
// keeps its dead set this way; here it is every final state but dead, which has its own bounds).
//
// The order is a queue of (finished_at, id) in finish order: pruning pops from its front, so
// each finished job costs O(1) to keep and to drop, whatever the number kept. An entry whose
// job left the store meanwhile is popped and skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class finished_jobs {
 public:
  /// Past this, a finished job's args are cut (see truncated_args).
  static constexpr std::size_t max_args_bytes = 4096;

  finished_jobs(std::int64_t max_jobs, std::int64_t max_age_s);

  /// The final states kept here.
  static bool kept(job_state s) {
    return s == job_state::succeeded || s == job_state::discarded || s == job_state::cancelled
           || s == job_state::expired;
  }
  /// Args longer than max_args_bytes, as kept: the JSON object
  /// {"truncated_args": {"bytes": <original length>, "head": "<the first bytes, up to 4 KiB>"}}.
  static std::string truncated_args(std::string_view args);

  void add(timestamp finished_at, job_id id) { order_.emplace_back(finished_at, id); }
  /// Puts loaded jobs in finish order; call once after the last add of a load.
  void sort();
  /// The oldest entry when it is due to go, with `kept` finished jobs in the store now: over
  /// the count, or finished before `now - max_age` (now 0: the age is not checked). Popped.
  std::optional<job_id> pop_due(std::size_t kept, timestamp now);

 private:
  std::size_t max_jobs_;
  timestamp max_age_us_;
  std::deque<std::pair<timestamp, job_id>> order_;
};

}  // namespace meshjobs
