// The scheduler's default thread count, on machines that report 0, 1, 2 or many cores.
#include <gtest/gtest.h>

#include "node/scheduler_threads.hpp"

namespace meshjobs {
namespace {

TEST(SchedulerThreads, an_unknown_core_count_gives_one_thread) {
  EXPECT_EQ(default_scheduler_threads(0), 1u);
}

TEST(SchedulerThreads, one_core_per_thread_less_one_and_at_least_one) {
  EXPECT_EQ(default_scheduler_threads(1), 1u);
  EXPECT_EQ(default_scheduler_threads(2), 1u);
  EXPECT_EQ(default_scheduler_threads(8), 7u);
}

}  // namespace
}  // namespace meshjobs
