// Uniqueness locks by key. `until_executed` and `until_executing` jobs hold a lock from enqueue;
// `while_executing` jobs take one only while they run, and duplicates wait their turn here.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class unique_locks {
 public:
  /// The job holding `key`, if any.
  std::optional<job_id> holder(const std::string& key) const;
  /// Takes `key` for `id` if it is free (or already its own); false when another holds it.
  bool try_acquire(const std::string& key, job_id id);
  /// Frees `key` if `id` holds it.
  void release(const std::string& key, job_id id);

  /// A while_executing job that found its key taken waits here, FIFO.
  void wait(const std::string& key, job_id id) {
    waiting_[key].push_back(id);
    ++waiting_count_;
  }
  /// The next waiter for `key`, removed from the wait list.
  std::optional<job_id> next_waiter(const std::string& key);
  /// Removes a waiter (cancelled); false when it was not waiting.
  bool drop_waiter(const std::string& key, job_id id);
  std::size_t waiting() const { return waiting_count_; }

 private:
  std::unordered_map<std::string, job_id> held_;
  std::unordered_map<std::string, std::deque<job_id>> waiting_;
  std::size_t waiting_count_ = 0;
};

/// The key a job is unique by: the one given, or its kind and arguments.
std::string unique_key_for(const std::string& kind, const std::string& args,
                           const std::string& given);

}  // namespace meshjobs
