// The default number of CAF scheduler threads, including on a machine that does not say how
// many cores it has (hardware_concurrency() == 0 once asked for 4 billion threads).
#include <gtest/gtest.h>

#include "scheduler_threads.hpp"

namespace meshjobs {
namespace {

TEST(SchedulerThreads, OnePerCoreLessOneAndAtLeastOne) {
  EXPECT_EQ(default_scheduler_threads(0), 1u) << "unknown core count";
  EXPECT_EQ(default_scheduler_threads(1), 1u);
  EXPECT_EQ(default_scheduler_threads(2), 1u);
  EXPECT_EQ(default_scheduler_threads(8), 7u);
}

}  // namespace
}  // namespace meshjobs
