// Durable acknowledgements: an answer that promises durability (an enqueue, a records write,
// the stop) waits for the commit that covers its write. Commits are grouped: one commit at a
// time, covering everything written since the one before, numbered in order. A failed commit
// answers its waiters with the error and holds the next commit back (commit_backoff).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/commit_backoff.hpp"

namespace meshjobs {

class durable_acks {
 public:
  using deliver = std::function<void(const std::string& error)>;

  /// `fn` hears the outcome of the next commit to start (empty error: durable).
  void add(deliver fn) { unassigned_.push_back(std::move(fn)); }
  /// The number of the commit to start now, or nothing: one is in flight, a back-off runs, or
  /// nothing waits (`dirty`: the store has writes to commit).
  std::optional<std::uint64_t> begin_commit(bool dirty);
  /// Commit `seq` ended: answers its waiters. On failure, returns the back-off to wait
  /// before the next commit (then call backoff_over).
  std::optional<std::chrono::milliseconds> commit_done(std::uint64_t seq, const std::string& error);
  void backoff_over() { waiting_ = false; }

  bool in_flight() const { return in_flight_; }
  /// The number the next commit will have.
  std::uint64_t next_seq() const { return next_seq_; }
  const commit_backoff& health() const { return health_; }

 private:
  struct pending {
    std::uint64_t seq;
    deliver fn;
  };
  std::uint64_t next_seq_ = 1;
  bool in_flight_ = false;
  bool waiting_ = false;  // a back-off runs: no commit before it ends
  std::vector<deliver> unassigned_;
  std::deque<pending> in_flight_acks_;
  commit_backoff health_;
};

}  // namespace meshjobs
