#include "meshjobs/retry_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <vector>

namespace meshjobs {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using action = retry_policy::action;

milliseconds seconds_to_the_fourth(int executions) {
  const std::int64_t e = executions;
  return milliseconds(e * e * e * e * 1000);
}

job job_after(int executions, int max_attempts = 0) {
  job j;
  j.kind = "mesh.generation";
  j.attempt = executions;
  j.max_attempts = max_attempts;
  return j;
}

job_error error_of(std::string kind) { return {std::move(kind), "it failed", "node-1"}; }

/// The seed's Mesh::GenerationJob, declared as the seed declares it.
retry_policy generation_job_policy(bool* discard_handled = nullptr) {
  retry_policy policy;
  policy.retry_on("service_error", wait_strategy::exponential(), 3)
      .retry_on("read_timeout", wait_strategy::fixed(30s), 5)
      .discard_on("deserialization", [discard_handled](const job&, const job_error&) {
        if (discard_handled) *discard_handled = true;
      });
  return policy;
}

// --- Waits -------------------------------------------------------------------------------------

TEST(RetryPolicy, ExponentialWaitIsExecutionsToTheFourthPlusTwoSecondsPlusAtMost15PercentJitter) {
  std::mt19937_64 rng(7);
  for (int e = 1; e <= 10; ++e) {
    const milliseconds low = seconds_to_the_fourth(e) + 2s;
    const milliseconds high = low + seconds_to_the_fourth(e) * 15 / 100;
    for (int draw = 0; draw < 200; ++draw) {
      const milliseconds wait = wait_strategy::exponential().next(e, rng);
      EXPECT_GE(wait, low) << "executions " << e;
      EXPECT_LE(wait, high) << "executions " << e;
    }
  }
}

TEST(RetryPolicy, ExponentialJitterVariesWithTheRngAndSpansItsRange) {
  std::mt19937_64 rng(11);
  const auto exponential = wait_strategy::exponential();
  const milliseconds low = seconds_to_the_fourth(10) + 2s;
  const milliseconds span = seconds_to_the_fourth(10) * 15 / 100;
  std::set<milliseconds::rep> seen;
  milliseconds least = milliseconds::max();
  milliseconds most = milliseconds::min();
  for (int draw = 0; draw < 1000; ++draw) {
    const milliseconds wait = exponential.next(10, rng);
    seen.insert(wait.count());
    least = std::min(least, wait);
    most = std::max(most, wait);
  }
  EXPECT_GT(seen.size(), 900u);
  EXPECT_LT(least, low + span / 20);  // reaches near 0 % ...
  EXPECT_GT(most, low + span * 19 / 20);  // ... and near 15 %
}

TEST(RetryPolicy, ExponentialWaitsRepeatForTheSameSeed) {
  std::mt19937_64 first(3);
  std::mt19937_64 second(3);
  const auto exponential = wait_strategy::exponential();
  for (int e = 1; e <= 10; ++e) EXPECT_EQ(exponential.next(e, first), exponential.next(e, second));
}

TEST(RetryPolicy, FixedWaitIsTheSameAfterEveryExecution) {
  std::mt19937_64 rng(1);
  for (int e = 1; e <= 10; ++e) EXPECT_EQ(wait_strategy::fixed(30s).next(e, rng), 30s);
}

TEST(RetryPolicy, AWaitBeyondAHundredYearsOrBelowZeroIsCapped) {
  std::mt19937_64 rng(1);
  const milliseconds hundred_years = 36525 * 24h;
  const auto huge = wait_strategy::custom([](int) { return milliseconds::max(); });
  const auto negative = wait_strategy::custom([](int) { return -5s; });
  EXPECT_EQ(huge.next(1, rng), hundred_years);
  EXPECT_EQ(negative.next(1, rng), 0ms);
  EXPECT_EQ(wait_strategy::exponential().next(1000, rng), hundred_years);  // 1000^4 s uncapped
}

TEST(RetryPolicy, CustomWaitIsTheFunctionOfTheExecutionNumber) {
  std::mt19937_64 rng(1);
  std::vector<int> asked;
  const auto custom = wait_strategy::custom([&asked](int executions) {
    asked.push_back(executions);
    return milliseconds(executions * 7);
  });
  EXPECT_EQ(custom.next(1, rng), 7ms);
  EXPECT_EQ(custom.next(4, rng), 28ms);
  EXPECT_EQ(asked, (std::vector<int>{1, 4}));
}

// --- Decisions ---------------------------------------------------------------------------------

TEST(RetryPolicy, ThreeAttemptsRetryAfterTheFirstAndSecondExecutionsAndDieAfterTheThird) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  policy.retry_on("service_error", wait_strategy::fixed(5s), 3);
  const auto after_first = policy.decide(job_after(1), error_of("service_error"), rng);
  const auto after_second = policy.decide(job_after(2), error_of("service_error"), rng);
  const auto after_third = policy.decide(job_after(3), error_of("service_error"), rng);
  EXPECT_EQ(after_first.what, action::retry);
  EXPECT_EQ(after_first.wait, 5s);
  EXPECT_EQ(after_second.what, action::retry);
  EXPECT_EQ(after_third.what, action::dead);
}

TEST(RetryPolicy, RetryWaitIsComputedFromTheExecutionThatFailed) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  policy.retry_on("service_error", wait_strategy::custom([](int e) { return milliseconds(e); }), 9);
  EXPECT_EQ(policy.decide(job_after(4), error_of("service_error"), rng).wait, 4ms);
}

TEST(RetryPolicy, DiscardOnWinsForItsKindAndExposesItsHandler) {
  std::mt19937_64 rng(1);
  const job* handled_job = nullptr;
  std::string handled_kind;
  retry_policy policy;
  policy.otherwise(wait_strategy::fixed(1s), 25)
      .discard_on("deserialization", [&](const job& j, const job_error& e) {
        handled_job = &j;
        handled_kind = e.kind;
      });
  const job j = job_after(1);
  const job_error error = error_of("deserialization");
  const auto decision = policy.decide(j, error, rng);
  ASSERT_EQ(decision.what, action::discard);
  ASSERT_NE(decision.on_discard, nullptr);
  (*decision.on_discard)(j, error);
  EXPECT_EQ(handled_job, &j);
  EXPECT_EQ(handled_kind, "deserialization");
}

TEST(RetryPolicy, DiscardOnWithoutAHandlerGivesANullHandler) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  policy.discard_on("cancelled");
  const auto decision = policy.decide(job_after(1), error_of("cancelled"), rng);
  EXPECT_EQ(decision.what, action::discard);
  EXPECT_EQ(decision.on_discard, nullptr);
}

TEST(RetryPolicy, UnknownKindUsesTheDefaultOfExponentialWith25Attempts) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  policy.retry_on("service_error", wait_strategy::fixed(1s), 3);
  const auto after_24 = policy.decide(job_after(24), error_of("timeout"), rng);
  EXPECT_EQ(after_24.what, action::retry);
  EXPECT_GE(after_24.wait, seconds_to_the_fourth(24) + 2s);
  EXPECT_LE(after_24.wait, seconds_to_the_fourth(24) + 2s + seconds_to_the_fourth(24) * 15 / 100);
  EXPECT_EQ(policy.decide(job_after(25), error_of("timeout"), rng).what, action::dead);
}

TEST(RetryPolicy, OtherwiseReplacesTheDefault) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  policy.otherwise(wait_strategy::fixed(5s), 2);
  const auto after_first = policy.decide(job_after(1), error_of("crashed"), rng);
  EXPECT_EQ(after_first.what, action::retry);
  EXPECT_EQ(after_first.wait, 5s);
  EXPECT_EQ(policy.decide(job_after(2), error_of("crashed"), rng).what, action::dead);
}

TEST(RetryPolicy, JobMaxAttemptsCapsTheRuleButNeverRaisesIt) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  policy.retry_on("service_error", wait_strategy::fixed(1s), 5);
  EXPECT_EQ(policy.decide(job_after(1, 2), error_of("service_error"), rng).what, action::retry);
  EXPECT_EQ(policy.decide(job_after(2, 2), error_of("service_error"), rng).what, action::dead);
  EXPECT_EQ(policy.decide(job_after(5, 10), error_of("service_error"), rng).what, action::dead);
  // The default rule is capped too.
  EXPECT_EQ(policy.decide(job_after(2, 2), error_of("timeout"), rng).what, action::dead);
}

TEST(RetryPolicy, BadArgsAndPoisonGoDeadWithoutAnExplicitRule) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  EXPECT_EQ(policy.decide(job_after(1), error_of("bad_args"), rng).what, action::dead);
  EXPECT_EQ(policy.decide(job_after(1), error_of("poison"), rng).what, action::dead);
}

TEST(RetryPolicy, AnExplicitRuleRetriesBadArgs) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  policy.retry_on("bad_args", wait_strategy::fixed(1s), 2);
  EXPECT_EQ(policy.decide(job_after(1), error_of("bad_args"), rng).what, action::retry);
  EXPECT_EQ(policy.decide(job_after(2), error_of("bad_args"), rng).what, action::dead);
}

TEST(RetryPolicy, LastDeclaredRetryRuleForAKindWins) {
  std::mt19937_64 rng(1);
  retry_policy policy;
  policy.retry_on("service_error", wait_strategy::fixed(1s), 3)
      .retry_on("service_error", wait_strategy::fixed(2s), 5);
  const auto after_fourth = policy.decide(job_after(4), error_of("service_error"), rng);
  EXPECT_EQ(after_fourth.what, action::retry);
  EXPECT_EQ(after_fourth.wait, 2s);
}

TEST(RetryPolicy, LastDeclaredWinsBetweenRetryOnAndDiscardOn) {
  std::mt19937_64 rng(1);
  retry_policy discard_last;
  discard_last.retry_on("service_error", wait_strategy::fixed(1s), 3).discard_on("service_error");
  EXPECT_EQ(discard_last.decide(job_after(1), error_of("service_error"), rng).what,
            action::discard);

  retry_policy retry_last;
  retry_last.discard_on("service_error").retry_on("service_error", wait_strategy::fixed(1s), 3);
  EXPECT_EQ(retry_last.decide(job_after(1), error_of("service_error"), rng).what, action::retry);
}

// --- The seed's GenerationJob ------------------------------------------------------------------

TEST(RetryPolicy, GenerationJobRetriesServiceErrorsExponentiallyThreeTimesInAll) {
  std::mt19937_64 rng(5);
  const auto policy = generation_job_policy();
  const auto after_first = policy.decide(job_after(1), error_of("service_error"), rng);
  const auto after_second = policy.decide(job_after(2), error_of("service_error"), rng);
  ASSERT_EQ(after_first.what, action::retry);
  EXPECT_GE(after_first.wait, 3s);  // 1^4 + 2
  EXPECT_LE(after_first.wait, 3150ms);
  ASSERT_EQ(after_second.what, action::retry);
  EXPECT_GE(after_second.wait, 18s);  // 2^4 + 2
  EXPECT_LE(after_second.wait, 20400ms);
  EXPECT_EQ(policy.decide(job_after(3), error_of("service_error"), rng).what, action::dead);
}

TEST(RetryPolicy, GenerationJobRetriesReadTimeoutsEvery30SecondsFiveTimesInAll) {
  std::mt19937_64 rng(5);
  const auto policy = generation_job_policy();
  for (int executions = 1; executions <= 4; ++executions) {
    const auto decision = policy.decide(job_after(executions), error_of("read_timeout"), rng);
    EXPECT_EQ(decision.what, action::retry) << "after execution " << executions;
    EXPECT_EQ(decision.wait, 30s) << "after execution " << executions;
  }
  EXPECT_EQ(policy.decide(job_after(5), error_of("read_timeout"), rng).what, action::dead);
}

TEST(RetryPolicy, GenerationJobDiscardsDeserializationErrorsThroughItsHandler) {
  std::mt19937_64 rng(5);
  bool handled = false;
  const auto policy = generation_job_policy(&handled);
  const job j = job_after(1);
  const job_error error = error_of("deserialization");
  const auto decision = policy.decide(j, error, rng);
  ASSERT_EQ(decision.what, action::discard);
  ASSERT_NE(decision.on_discard, nullptr);
  (*decision.on_discard)(j, error);
  EXPECT_TRUE(handled);
}

TEST(RetryPolicy, GenerationJobSendsOtherErrorsToTheDefault) {
  std::mt19937_64 rng(5);
  const auto policy = generation_job_policy();
  EXPECT_EQ(policy.decide(job_after(10), error_of("timeout"), rng).what, action::retry);
  EXPECT_EQ(policy.decide(job_after(25), error_of("timeout"), rng).what, action::dead);
}

}  // namespace
}  // namespace meshjobs
