// Which queue to take the next job from: Sidekiq's weighted random choice among the queues
// that can give one, or strict config order when all weights are equal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace meshjobs {

class queue_selector {
 public:
  /// `weights[i]` is queue i's weight (> 0), in config order.
  explicit queue_selector(std::vector<int> weights, std::uint64_t seed = std::random_device{}());

  /// Picks among the queues for which `eligible[i]` is true; returns weights.size() when none is.
  std::size_t pick(const std::vector<bool>& eligible);

  bool strict() const { return strict_; }

 private:
  std::vector<int> weights_;
  bool strict_;
  std::mt19937_64 rng_;
};

}  // namespace meshjobs
