// The scheduled set: earliest first, and a job removed early leaves it at once.
#include <gtest/gtest.h>

#include "schedule/scheduled_set.hpp"

namespace meshjobs {
namespace {

TEST(ScheduledSet, PopsWhatIsDueEarliestFirstAndKeepsTheRest) {
  scheduled_set set;
  set.add(30, 3);
  set.add(10, 1);
  set.add(20, 2);
  EXPECT_EQ(set.earliest(), 10);
  auto due = set.pop_due(20);
  EXPECT_EQ(due, (std::vector<std::pair<timestamp, job_id>>{{10, 1}, {20, 2}}));
  EXPECT_EQ(set.earliest(), 30);
  EXPECT_EQ(set.size(), 1u);
}

TEST(ScheduledSet, ARemovedJobLeavesTheSetAndNoLongerSetsTheEarliestTime) {
  scheduled_set set;
  set.add(10, 1);
  set.add(20, 2);
  EXPECT_TRUE(set.remove(10, 1));
  EXPECT_EQ(set.earliest(), 20);
  EXPECT_FALSE(set.remove(10, 1)) << "already gone";
  EXPECT_FALSE(set.remove(25, 2)) << "not waiting for that time";
  EXPECT_TRUE(set.remove(20, 2));
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.earliest(), 0);
}

}  // namespace
}  // namespace meshjobs
