#include "coordinator/durable_acks.hpp"

namespace meshjobs {

std::optional<std::uint64_t> durable_acks::begin_commit(bool dirty) {
  if (in_flight_ || waiting_ || (!dirty && unassigned_.empty()))
    return std::nullopt;
  const auto seq = next_seq_++;
  for (auto& fn : unassigned_)
    in_flight_acks_.push_back(pending{seq, std::move(fn)});
  unassigned_.clear();
  in_flight_ = true;
  return seq;
}

std::optional<std::chrono::milliseconds> durable_acks::commit_done(std::uint64_t seq,
                                                                  const std::string& error) {
  in_flight_ = false;
  std::optional<std::chrono::milliseconds> backoff;
  if (error.empty()) {
    health_.succeeded();
  } else {
    waiting_ = true;
    backoff = health_.failed(error);
  }
  while (!in_flight_acks_.empty() && in_flight_acks_.front().seq <= seq) {
    in_flight_acks_.front().fn(error);
    in_flight_acks_.pop_front();
  }
  return backoff;
}

}  // namespace meshjobs
