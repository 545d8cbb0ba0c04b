// Cron through the runtime on a SQLite store and the manual clock: each slot fires once, a
// restart neither repeats the slot it already fired nor skips the next, and downtime spanning
// slots fires the missed work once on start.
#include <gtest/gtest.h>

#include <atomic>

#include "runtime_fixture.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;

TEST(RuntimeCron, EachSlotFiresOnceAcrossRestartsAndMissedSlotsFireOnceOnStart) {
  temp_db db;
  auto cfg = sqlite_test_config(db.path());
  cfg.schedule = {{"sweep", "* * * * *", "test.sweep", R"({"older_than":"1h"})", ""}};
  auto runs = std::make_shared<std::atomic<int>>(0);
  auto sweep = [runs] { return make_type("test.sweep", [runs](job_context&) { ++*runs; }); };

  {
    harness h{cfg, utc(2024, 5, 1, 12, 0, 30)};
    auto& rt = h.start({sweep()});
    ASSERT_TRUE(rt.drain(patience));
    EXPECT_EQ(runs->load(), 0) << "a fresh node waits for the next slot";

    h.clock->set(utc(2024, 5, 1, 12, 1, 10));
    rt.tick();
    ASSERT_TRUE(h.events->wait_count(event::type::finished, 1));
    ASSERT_TRUE(rt.drain(patience));
    EXPECT_EQ(runs->load(), 1);
    auto fired = h.find(h.events->events().front().value.id);
    EXPECT_EQ(fired.kind, "test.sweep");
    EXPECT_EQ(fired.args, R"({"older_than":"1h"})");

    rt.tick();
    ASSERT_TRUE(rt.drain(patience));
    EXPECT_EQ(runs->load(), 1) << "a slot fires once";
  }
  {
    harness h{cfg, utc(2024, 5, 1, 12, 1, 40)};
    auto& rt = h.start({sweep()});
    ASSERT_TRUE(rt.drain(patience));
    EXPECT_EQ(runs->load(), 1) << "the restart does not fire the 12:01 slot again";

    h.clock->set(utc(2024, 5, 1, 12, 2, 5));
    rt.tick();
    ASSERT_TRUE(h.events->wait_count(event::type::finished, 1));
    ASSERT_TRUE(rt.drain(patience));
    EXPECT_EQ(runs->load(), 2) << "nor does it skip the 12:02 slot";
  }
  {
    // Down from 12:02:05 to 12:05:30: the 12:03, 12:04 and 12:05 slots were missed.
    harness h{cfg, utc(2024, 5, 1, 12, 5, 30)};
    auto& rt = h.start({sweep()});
    ASSERT_TRUE(rt.drain(patience));
    EXPECT_EQ(runs->load(), 3) << "missed slots fire once, on start";
    EXPECT_EQ(h.events->count(event::type::enqueued), 1u);
  }
  auto reopened = open_store(cfg.store);
  EXPECT_EQ(reopened->cron_last_run("sweep"), utc(2024, 5, 1, 12, 5));
}

TEST(RuntimeCron, StartRefusesAScheduleThatCanNeverFireNamingTheEntry) {
  auto cfg = test_config();
  cfg.schedule = {{"leap", "0 0 30 2 *", "test.sweep", "{}", ""}};
  runtime rt{cfg};
  rt.register_type(make_type("test.sweep", [](job_context&) {}));
  try {
    rt.start();
    FAIL() << "started with a schedule entry that never fires";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string{e.what()}.rfind("config: schedule.leap.cron: never fires: ", 0), 0u)
      << e.what();
  }
}

}  // namespace
}  // namespace meshjobs
