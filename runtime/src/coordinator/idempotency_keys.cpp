#include "coordinator/idempotency_keys.hpp"

namespace meshjobs {

std::optional<job_id> idempotency_keys::find(const std::string& key, timestamp now) {
  drop_older_than(now - limits_.max_age_us);
  auto i = by_key_.find(key);
  if (i == by_key_.end())
    return std::nullopt;
  return i->second.id;
}

void idempotency_keys::remember(const std::string& key, job_id id, timestamp now) {
  drop_older_than(now - limits_.max_age_us);
  auto seq = next_seq_++;
  by_key_[key] = entry{id, seq};
  order_.push_back(arrival{now, seq, key});
  while (by_key_.size() > limits_.max_keys)
    drop_front();
}

void idempotency_keys::forget(const std::string& key, job_id id) {
  auto i = by_key_.find(key);
  if (i != by_key_.end() && i->second.id == id)
    by_key_.erase(i);
}

void idempotency_keys::drop_older_than(timestamp oldest) {
  while (!order_.empty() && order_.front().at < oldest)
    drop_front();
}

void idempotency_keys::drop_front() {
  const auto& first = order_.front();
  auto i = by_key_.find(first.key);
  if (i != by_key_.end() && i->second.seq == first.seq)
    by_key_.erase(i);
  order_.pop_front();
}

}  // namespace meshjobs
