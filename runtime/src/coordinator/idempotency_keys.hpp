// Which job each idempotency key enqueued, so that a retried enqueue (its reply was lost)
// returns the first job instead of making a second one. A window, bounded both ways: at most
// `max_keys` keys and none older than `max_age`; the oldest leave first. Keys live in the
// coordinator's memory only: a restart forgets them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

struct idempotency_limits {
  std::size_t max_keys = 100000;                    ///< ~30 MB at most with 200-byte keys
  std::int64_t max_age_us = 24LL * 3600 * 1000000;  ///< a day covers any client's retries
};

class idempotency_keys {
 public:
  idempotency_keys() = default;
  explicit idempotency_keys(idempotency_limits l) : limits_(l) {}

  /// The job first enqueued with `key`, if still within the window at `now`.
  std::optional<job_id> find(const std::string& key, timestamp now);
  /// Remembers that `key` enqueued `id` at `now`; the oldest key leaves past `max_keys`.
  void remember(const std::string& key, job_id id, timestamp now);
  /// The enqueue of `id` did not last (its commit failed): a retry must enqueue again.
  void forget(const std::string& key, job_id id);
  std::size_t size() const { return by_key_.size(); }

 private:
  struct entry {
    job_id id;
    std::uint64_t seq;  ///< which `order_` element is this key's current one
  };
  struct arrival {
    timestamp at;
    std::uint64_t seq;
    std::string key;
  };

  void drop_older_than(timestamp oldest);
  void drop_front();

  idempotency_limits limits_;
  std::unordered_map<std::string, entry> by_key_;
  std::deque<arrival> order_;  // by arrival; entries of forgotten keys are skipped
  std::uint64_t next_seq_ = 0;
};

}  // namespace meshjobs
