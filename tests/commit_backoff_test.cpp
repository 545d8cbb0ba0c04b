// The pace of commits after failures: 100 ms doubling to 5 s, healthy again after a success.
#include <gtest/gtest.h>

#include "store/commit_backoff.hpp"

namespace meshjobs {
namespace {

using namespace std::chrono_literals;

TEST(CommitBackoff, WaitsDoubleFromAHundredMillisecondsToFiveSeconds) {
  commit_backoff backoff;
  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 9; ++i)
    waits.push_back(backoff.failed("disk full"));
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms, 800ms, 1600ms,
                                                            3200ms, 5000ms, 5000ms, 5000ms}));
  EXPECT_FALSE(backoff.healthy());
  EXPECT_EQ(backoff.error(), "disk full");
  EXPECT_EQ(backoff.failures(), 9u);
}

TEST(CommitBackoff, ASuccessMakesItHealthyAndStartsTheWaitsOver) {
  commit_backoff backoff;
  EXPECT_TRUE(backoff.healthy());
  backoff.failed("disk full");
  backoff.failed("disk full");
  backoff.succeeded();
  EXPECT_TRUE(backoff.healthy());
  EXPECT_EQ(backoff.error(), "");
  EXPECT_EQ(backoff.failed("read-only"), 100ms);
  EXPECT_EQ(backoff.failures(), 3u) << "counted since the start";
}

}  // namespace
}  // namespace meshjobs
