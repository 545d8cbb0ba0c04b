// mesh.generation's resource check keeps a pass for a moment and never a failure: within the
// validity no measure runs again, after it one does, and a check that failed measures again
// (and refuses again) each time, so that a disk below storage.min_free_mb is refused at every
// attempt.
#include <gtest/gtest.h>

#include <stdexcept>

#include "mesh/resource_check.hpp"

namespace meshjobs {
namespace {

using namespace std::chrono_literals;

struct manual_time {
  resource_check::clock_type::time_point now{std::chrono::hours(1)};
  std::function<resource_check::clock_type::time_point()> clock() {
    return [this] { return now; };
  }
};

TEST(ResourceCheck, APassIsKeptForItsValidityThenMeasuredAgain) {
  manual_time time;
  int measures = 0;
  resource_check check([&] { ++measures; }, 1000ms, time.clock());
  EXPECT_FALSE(check.fresh()) << "nothing measured yet";
  check.run();
  EXPECT_EQ(measures, 1);
  time.now += 999ms;
  EXPECT_TRUE(check.fresh());
  check.run();
  EXPECT_EQ(measures, 1) << "a pass 999 ms old is taken as it is";
  time.now += 1ms;
  EXPECT_FALSE(check.fresh());
  check.run();
  EXPECT_EQ(measures, 2) << "a pass 1 s old is measured again";
}

TEST(ResourceCheck, AFailureIsNeverKeptEachCheckMeasuresAndRefusesAgain) {
  manual_time time;
  int measures = 0;
  bool disk_full = true;
  resource_check check([&] {
    ++measures;
    if (disk_full)
      throw std::runtime_error("below storage.min_free_mb");
  }, 1000ms, time.clock());
  EXPECT_THROW(check.run(), std::runtime_error);
  EXPECT_FALSE(check.fresh());
  EXPECT_THROW(check.run(), std::runtime_error);
  EXPECT_EQ(measures, 2) << "no time passed, and the failed check measured again";
  disk_full = false;
  check.run();
  EXPECT_EQ(measures, 3) << "the disk freed up: seen at the next check";
  EXPECT_TRUE(check.fresh());
}

TEST(ResourceCheck, AFailureAfterAnExpiredPassIsReported) {
  manual_time time;
  bool disk_full = false;
  resource_check check([&] {
    if (disk_full)
      throw std::runtime_error("below storage.min_free_mb");
  }, 1000ms, time.clock());
  check.run();
  disk_full = true;
  time.now += 1s;
  EXPECT_THROW(check.run(), std::runtime_error);
  EXPECT_FALSE(check.fresh()) << "the expired pass is not taken for a fresh one";
  EXPECT_THROW(check.run(), std::runtime_error);
}

}  // namespace
}  // namespace meshjobs
