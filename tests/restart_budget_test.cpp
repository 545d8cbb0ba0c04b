// The launcher's restart budget: how long a node waits before it is started again, and when
// it is given up.
#include <gtest/gtest.h>

#include "restart_budget.hpp"

namespace meshjobs::cluster {
namespace {

using namespace std::chrono_literals;

TEST(RestartBudget, backs_off_doubling_from_250_ms_up_to_8_s) {
  restart_budget budget{10};
  const auto now = restart_budget::clock::now();
  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 8; ++i)
    waits.push_back(*budget.spend(now + std::chrono::seconds(i)));
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{250ms, 500ms, 1s, 2s, 4s, 8s, 8s, 8s}));
}

TEST(RestartBudget, gives_up_past_its_limit_within_a_minute) {
  restart_budget budget{2};
  const auto now = restart_budget::clock::now();
  EXPECT_TRUE(budget.spend(now));
  EXPECT_TRUE(budget.spend(now + 10s));
  EXPECT_FALSE(budget.spend(now + 59s));
  EXPECT_EQ(budget.spent(now + 59s), 2);
}

TEST(RestartBudget, forgets_restarts_older_than_a_minute_and_starts_the_back_off_over) {
  restart_budget budget{2};
  const auto now = restart_budget::clock::now();
  budget.spend(now);
  budget.spend(now + 1s);
  EXPECT_EQ(budget.spent(now + 61s), 0);
  EXPECT_EQ(budget.spend(now + 61s), std::optional{250ms});
}

TEST(RestartBudget, with_no_restarts_allowed_gives_up_at_once) {
  restart_budget budget{0};
  EXPECT_FALSE(budget.spend(restart_budget::clock::now()));
}

}  // namespace
}  // namespace meshjobs::cluster
