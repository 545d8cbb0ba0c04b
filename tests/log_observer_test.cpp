// The log observer's lines: an outcome with no error says so without an empty error suffix.
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "events/log_observer.hpp"

namespace meshjobs {
namespace {

/// Routes spdlog's default logger into a string for the test's lifetime.
class captured_log {
 public:
  captured_log() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~captured_log() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

job a_job() {
  job j;
  j.id = 7;
  j.kind = "test.kind";
  return j;
}

TEST(LogObserver, ACancelledJobsLineEndsWithTheAttemptNotAnEmptyError) {
  captured_log log;
  job_outcome cancelled;
  cancelled.kind = outcome_kind::cancelled;
  log_observer{}.on_finished(a_job(), cancelled, 0);
  EXPECT_EQ(log.text(), "job 7 (test.kind) cancelled (attempt 0)\n");
}

TEST(LogObserver, AFailedJobsLineNamesTheErrorKindAndMessage) {
  captured_log log;
  job_outcome failed;
  failed.kind = outcome_kind::retry;
  failed.error = job_error{"timeout", "took longer than 30s", ""};
  log_observer{}.on_finished(a_job(), failed, 0);
  EXPECT_EQ(log.text(), "job 7 (test.kind) failed, will retry (attempt 0): timeout: took longer than 30s\n");
}

}  // namespace
}  // namespace meshjobs
