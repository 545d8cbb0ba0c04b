#include "coordinator/queue_selector.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace meshjobs {
namespace {

constexpr std::uint64_t fixed_seed = 20240611;
constexpr int picks = 100000;

std::vector<int> count_picks(queue_selector& selector, const std::vector<bool>& eligible,
                             std::size_t queues) {
  std::vector<int> counts(queues + 1, 0);  // the last slot counts "none"
  for (int i = 0; i < picks; ++i)
    ++counts.at(selector.pick(eligible));
  return counts;
}

// A queue's count over n picks is Binomial(n, p): its share has standard deviation
// sqrt(p (1 - p) / n), at most 0.0016 here (p = 10/21). A tolerance of five of them gives a
// correct selector a ~6e-7 chance per queue of failing under any seed, yet stays below 0.008,
// while a weight off by one moves a share by 1/21 ~ 0.048.
void expect_share(int count, double expected_share) {
  const double share = static_cast<double>(count) / picks;
  const double sigma = std::sqrt(expected_share * (1 - expected_share) / picks);
  EXPECT_NEAR(share, expected_share, 5 * sigma);
}

TEST(QueueSelector, IsStrictWhenAllWeightsAreEqual) {
  EXPECT_TRUE(queue_selector({1, 1, 1}).strict());
  EXPECT_TRUE(queue_selector({7, 7}).strict());
  EXPECT_TRUE(queue_selector({3}).strict());
  EXPECT_FALSE(queue_selector({1, 2, 1}).strict());
}

TEST(QueueSelector, StrictAlwaysPicksTheFirstEligibleInConfigOrder) {
  queue_selector selector({5, 5, 5, 5}, fixed_seed);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(selector.pick({true, true, true, true}), 0u);
    ASSERT_EQ(selector.pick({false, true, true, true}), 1u);
    ASSERT_EQ(selector.pick({false, false, false, true}), 3u);
    ASSERT_EQ(selector.pick({false, true, false, true}), 1u);
  }
}

TEST(QueueSelector, ReturnsSizeWhenNoQueueIsEligible) {
  queue_selector strict({1, 1, 1}, fixed_seed);
  queue_selector weighted({3, 2, 1}, fixed_seed);
  EXPECT_EQ(strict.pick({false, false, false}), 3u);
  EXPECT_EQ(weighted.pick({false, false, false}), 3u);
  EXPECT_EQ(queue_selector({}, fixed_seed).pick({}), 0u);
}

TEST(QueueSelector, TreatsQueuesMissingFromAShortEligibleListAsIneligible) {
  queue_selector weighted({3, 2, 1}, fixed_seed);
  EXPECT_EQ(weighted.pick({}), 3u);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(weighted.pick({false, true}), 1u);
}

TEST(QueueSelector, PicksEachQueueInProportionToItsWeight) {
  const std::vector<int> weights{10, 5, 3, 2, 1};
  const double sum = std::accumulate(weights.begin(), weights.end(), 0);
  queue_selector selector(weights, fixed_seed);
  const auto counts = count_picks(selector, std::vector<bool>(weights.size(), true), weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    SCOPED_TRACE("queue " + std::to_string(i));
    expect_share(counts[i], weights[i] / sum);
  }
  EXPECT_EQ(counts.back(), 0) << "never none while a queue is eligible";
}

TEST(QueueSelector, PicksAmongEligibleQueuesInProportionToTheirWeights) {
  queue_selector selector({10, 5, 3, 2, 1}, fixed_seed);
  const auto counts = count_picks(selector, {false, true, false, true, true}, 5);
  EXPECT_EQ(counts[0], 0);
  EXPECT_EQ(counts[2], 0);
  expect_share(counts[1], 5.0 / 8);
  expect_share(counts[3], 2.0 / 8);
  expect_share(counts[4], 1.0 / 8);
}

TEST(QueueSelector, NeverPicksAnIneligibleQueueEvenWithTheLargestWeight) {
  queue_selector selector({1000, 1, 1}, fixed_seed);
  const auto counts = count_picks(selector, {false, true, true}, 3);
  EXPECT_EQ(counts[0], 0);
  EXPECT_EQ(counts[1] + counts[2], picks);
}

TEST(QueueSelector, SameSeedGivesTheSameSequence) {
  queue_selector a({4, 2, 1}, fixed_seed);
  queue_selector b({4, 2, 1}, fixed_seed);
  const std::vector<bool> all{true, true, true};
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(a.pick(all), b.pick(all));
}

TEST(QueueSelector, RejectsANonPositiveWeightNamingIt) {
  try {
    queue_selector selector({3, 0, 1});
    FAIL() << "a zero weight was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "queue_selector: weights[1] must be > 0 (got 0)");
  }
  EXPECT_THROW(queue_selector({-2}), std::invalid_argument);
}

}  // namespace
}  // namespace meshjobs
