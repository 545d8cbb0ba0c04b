// A store whose commits fail. Here every write to the database file fails as on a full disk:
// the test process's file-size limit (RLIMIT_FSIZE) drops to 0, and SIGXFSZ is ignored so the
// write returns EFBIG to SQLite instead of killing the process. Commits then back off instead
// of looping, stats report the store unhealthy with the reason, an enqueue that was refused
// as not durable never runs, and all of it ends once a commit succeeds again.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <csignal>
#include <sstream>

#include "runtime_fixture.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

/// Lowers this process's file-size limit until lifted (or destroyed), SIGXFSZ ignored meanwhile.
class file_size_limit {
 public:
  explicit file_size_limit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &lowered), 0);
  }
  ~file_size_limit() {
    lift();
    std::signal(SIGXFSZ, previous_handler_);
  }
  file_size_limit(const file_size_limit&) = delete;
  file_size_limit& operator=(const file_size_limit&) = delete;

  void lift() { EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &saved_), 0); }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = SIG_DFL;
};

/// The runtime's log lines, kept in memory while it lives (read them once it has stopped).
class log_capture {
 public:
  log_capture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~log_capture() { spdlog::set_default_logger(previous_); }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  std::size_t count(const std::string& needle) const {
    std::size_t n = 0;
    std::istringstream in{lines_.str()};
    for (std::string line; std::getline(in, line);)
      n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  std::ostringstream lines_;
  std::shared_ptr<spdlog::logger> previous_;
};

/// Asks for stats until `holds(stats)`; false after patience.
bool wait_stats(runtime& rt, const std::function<bool(const runtime_stats&)>& holds) {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < give_up) {
    if (holds(rt.stats()))
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

TEST(RuntimeStoreFailure, FailingCommitsBackOffAreReportedAndARefusedEnqueueNeverRuns) {
  temp_db db;
  log_capture logs;
  harness h{sqlite_test_config(db.path())};
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});
  auto healthy = rt.enqueue("test.noop", "{}");
  ASSERT_EQ(healthy.status, enqueue_status::enqueued) << healthy.error;
  ASSERT_TRUE(h.events->wait_finished(healthy.id));
  EXPECT_TRUE(rt.stats().store_healthy);

  file_size_limit full_disk{0};
  // The store still looks healthy: this job may be dispatched before its commit fails. If it
  // is refused, it must not have run.
  auto first = rt.enqueue("test.noop", "{}");
  ASSERT_TRUE(wait_stats(rt, [](const runtime_stats& s) { return !s.store_healthy; }));
  if (first.status == enqueue_status::refused) {
    EXPECT_EQ(h.events->count(event::type::started, first.id), 0u);
    EXPECT_FALSE(rt.find(first.id).has_value()) << "a refused job is withdrawn";
  }

  auto refused = rt.enqueue("test.noop", "{}");
  EXPECT_EQ(refused.status, enqueue_status::refused);
  EXPECT_EQ(refused.error.rfind("store: not durable: store: " + db.path() + ": ", 0), 0u)
    << refused.error;
  EXPECT_EQ(h.events->count(event::type::started, refused.id), 0u) << "a refused job ran";
  EXPECT_FALSE(rt.find(refused.id).has_value()) << "a refused job is withdrawn";

  auto stats = rt.stats();
  EXPECT_FALSE(stats.store_healthy);
  EXPECT_NE(stats.store_error.find(db.path()), std::string::npos) << stats.store_error;
  const auto failures_before = stats.store_failures;
  std::this_thread::sleep_for(1s);  // a measuring window: how many commits fail in a second
  const auto failed_in_a_second = rt.stats().store_failures - failures_before;
  EXPECT_LE(failed_in_a_second, 5u) << "commits retried without a back-off";

  full_disk.lift();
  ASSERT_TRUE(wait_stats(rt, [](const runtime_stats& s) { return s.store_healthy; }));
  EXPECT_TRUE(rt.stats().store_error.empty());
  auto after = rt.enqueue("test.noop", "{}");
  ASSERT_EQ(after.status, enqueue_status::enqueued) << after.error;
  EXPECT_TRUE(h.events->wait_finished(after.id));
  h.stop();
  EXPECT_LE(logs.count("commit"), 4u) << "one line at the first failure, then one per 5 s";
  EXPECT_EQ(logs.count("the store is healthy"), 1u);
}

}  // namespace
}  // namespace meshjobs
