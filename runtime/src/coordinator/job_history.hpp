// The most recent finished jobs (succeeded, discarded, cancelled, expired), so that their
// final state can still be looked up after the store dropped them. Bounded: a ring.
#pragma once

#include <cstddef>
#include <functional>
#include <unordered_map>
#include <vector>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class job_history {
 public:
  explicit job_history(std::size_t capacity = 10000) : ring_(capacity) { index_.reserve(capacity); }

  void add(job&& j);
  const job* find(job_id id) const;
  bool contains(job_id id) const { return index_.count(id) != 0; }
  /// Visits the jobs newest first until `visit` returns false.
  void for_each_newest(const std::function<bool(const job&)>& visit) const;

 private:
  std::vector<job> ring_;
  std::size_t next_ = 0;   // where the next job goes
  std::size_t count_ = 0;
  std::unordered_map<job_id, std::size_t> index_;
};

}  // namespace meshjobs
