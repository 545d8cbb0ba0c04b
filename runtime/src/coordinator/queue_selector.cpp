#include "coordinator/queue_selector.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

namespace meshjobs {
namespace {

// A weight of 0 or less would make an eligible queue unreachable, or the total 0 and the draw
// undefined; config validation rejects it first, this guards other callers.
void require_positive(const std::vector<int>& weights) {
  for (std::size_t i = 0; i < weights.size(); ++i)
    if (weights[i] <= 0)
      throw std::invalid_argument("queue_selector: weights[" + std::to_string(i) +
                                  "] must be > 0 (got " + std::to_string(weights[i]) + ")");
}

bool all_equal(const std::vector<int>& weights) {
  return std::adjacent_find(weights.begin(), weights.end(), std::not_equal_to<>{}) ==
         weights.end();
}

std::size_t first_eligible(const std::vector<bool>& eligible, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i)
    if (eligible[i])
      return i;
  return count;
}

std::uint64_t eligible_weight(const std::vector<int>& weights, const std::vector<bool>& eligible,
                              std::size_t count) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < count; ++i)
    if (eligible[i])
      total += static_cast<std::uint64_t>(weights[i]);
  return total;
}

// Lays the eligible queues end to end, each as long as its weight, and returns the one that
// covers `ticket` (< their total weight).
std::size_t queue_at(std::uint64_t ticket, const std::vector<int>& weights,
                     const std::vector<bool>& eligible, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (!eligible[i])
      continue;
    const auto weight = static_cast<std::uint64_t>(weights[i]);
    if (ticket < weight)
      return i;
    ticket -= weight;
  }
  return count;
}

}  // namespace

queue_selector::queue_selector(std::vector<int> weights, std::uint64_t seed)
    : weights_(std::move(weights)), strict_(all_equal(weights_)), rng_(seed) {
  require_positive(weights_);
}

// Sidekiq shuffles the queue list repeated weight times and takes the first queue that has
// work: that is queue i with probability weight_i / (sum of eligible weights), drawn here
// directly so a pick allocates nothing. Queues past the end of a shorter `eligible` count as
// not eligible rather than being read out of bounds.
std::size_t queue_selector::pick(const std::vector<bool>& eligible) {
  const std::size_t count = std::min(weights_.size(), eligible.size());
  const std::size_t none = weights_.size();
  if (strict_) {
    const std::size_t first = first_eligible(eligible, count);
    return first < count ? first : none;
  }
  const std::uint64_t total = eligible_weight(weights_, eligible, count);
  if (total == 0)
    return none;
  const std::uint64_t ticket = std::uniform_int_distribution<std::uint64_t>{0, total - 1}(rng_);
  return queue_at(ticket, weights_, eligible, count);
}

}  // namespace meshjobs
