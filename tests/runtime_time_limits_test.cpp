// Times that come in are bounded (100 years ahead), and the timers that wait for them notice a
// jump of the wall clock and never spin: a far-future time once re-armed a timer in a loop.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "runtime_fixture.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

job_type noop_type() {
  return make_type("test.noop", [](job_context&) {});
}

enqueue_reply enqueue_with(runtime& rt, enqueue_request req) {
  req.kind = "test.noop";
  return rt.enqueue(req);
}

/// CPU time this process used (user + system) since it started.
std::chrono::microseconds cpu_used() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto us = [](const timeval& t) { return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec); };
  return us(usage.ru_utime) + us(usage.ru_stime);
}

TEST(RuntimeTimeLimits, ARunAtInTheYear2330IsRefusedNamingItAndTheBound) {
  harness h;
  auto& rt = h.start({noop_type()});
  enqueue_request opts;
  opts.run_at = utc(2330, 1, 1, 0, 0);
  auto r = enqueue_with(rt, opts);
  EXPECT_EQ(r.status, enqueue_status::refused);
  EXPECT_EQ(r.error, "enqueue: run_at 2330-01-01T00:00:00Z is more than 100 years ahead");
  EXPECT_EQ(rt.stats().scheduled, 0u);
}

TEST(RuntimeTimeLimits, AWaitOrAnExpiryBeyondAHundredYearsIsRefused) {
  harness h;
  auto& rt = h.start({noop_type()});
  enqueue_request far_wait;
  far_wait.wait_us = std::chrono::microseconds(std::chrono::hours(24 * 106751991LL)).count();  // what `--in 106751991d` asks
  auto waited = enqueue_with(rt, far_wait);
  EXPECT_EQ(waited.status, enqueue_status::refused);
  EXPECT_EQ(waited.error.rfind("enqueue: wait of ", 0), 0u) << waited.error;
  EXPECT_NE(waited.error.find("is more than 100 years ahead"), std::string::npos) << waited.error;

  enqueue_request negative_wait;
  negative_wait.wait_us = -1000000;
  auto negative = enqueue_with(rt, negative_wait);
  EXPECT_EQ(negative.status, enqueue_status::refused);
  EXPECT_EQ(negative.error, "enqueue: wait must be >= 0 (got -1000000 us)");

  enqueue_request far_expiry;
  far_expiry.expires_at = utc(2330, 1, 1, 0, 0);
  auto expiring = enqueue_with(rt, far_expiry);
  EXPECT_EQ(expiring.status, enqueue_status::refused);
  EXPECT_EQ(expiring.error, "enqueue: expires_at 2330-01-01T00:00:00Z is more than 100 years ahead");
}

TEST(RuntimeTimeLimits, ARunAtJustWithinTheBoundIsScheduledAndCancels) {
  harness h;
  auto& rt = h.start({noop_type()});
  enqueue_request opts;
  opts.run_at = h.clock->now() + seconds_us(99LL * 365 * 86400);
  auto r = enqueue_with(rt, opts);
  ASSERT_EQ(r.status, enqueue_status::scheduled) << r.error;
  EXPECT_EQ(rt.cancel(r.id), cancel_status::cancelled);
  EXPECT_EQ(rt.stats().scheduled, 0u);
}

TEST(RuntimeTimeLimits, ATypeWhoseTimeoutOrBackoffWouldOverflowATimerIsRefused) {
  runtime rt{test_config()};
  auto forever = noop_type();
  forever.timeout = std::chrono::milliseconds::max();
  try {
    rt.register_type(std::move(forever));
    FAIL() << "registered a type with a timeout of 292 million years";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string{e.what()}.rfind("register_type: test.noop: timeout must be from 0 to "
                                          "100 years (got ", 0), 0u) << e.what();
  }
  auto negative = noop_type();
  negative.intensity.backoff = -1s;
  EXPECT_THROW(rt.register_type(std::move(negative)), std::invalid_argument);
}

TEST(RuntimeTimeLimits, AJumpOfTheWallClockIsNoticedWithoutATick) {
  harness h;
  auto& rt = h.start({noop_type()});
  enqueue_request in_an_hour;
  in_an_hour.wait_us = seconds_us(3600);
  auto r = enqueue_with(rt, in_an_hour);
  ASSERT_EQ(r.status, enqueue_status::scheduled);
  h.clock->advance(1h);  // the runtime's timer still counts an hour on its steady clock
  EXPECT_TRUE(h.events->wait_finished(r.id)) << "the job did not run once its time had come";
}

TEST(RuntimeTimeLimits, AFarFutureJobInTheStoreDoesNotSpinTheTimerAfterARestart) {
  temp_db db;
  auto cfg = sqlite_test_config(db.path());
  {
    // Written by a node from before the bound: nothing stops an old file from holding it.
    auto st = open_store(cfg.store);
    job j;
    j.id = st->next_id();
    j.kind = "test.noop";
    j.queue = "default";
    j.state = job_state::scheduled;
    j.run_at = utc(2330, 1, 1, 0, 0);
    st->put(j);
    st->commit(nullptr);
    st->flush();
  }
  harness h{cfg};
  auto& rt = h.start({noop_type()});
  ASSERT_EQ(rt.stats().scheduled, 1u);
  const std::chrono::microseconds window = 1s;
  const auto before = cpu_used();
  std::this_thread::sleep_for(window);  // a measuring window, not a synchronisation
  const auto used = cpu_used() - before;
  EXPECT_LT(used, window / 4) << "an idle node with one far-future job used "
                              << used.count() << " us of CPU in " << window.count() << " us";
}

}  // namespace
}  // namespace meshjobs
