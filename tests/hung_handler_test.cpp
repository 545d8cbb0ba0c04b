// Handlers that hang and ignore cancelled() do not wedge a node (the review's reproduction:
// concurrency 2, timeout 2 s, blocking handlers stuck on a FIFO nobody reads), on the real
// daemon: the other jobs run, a job that timed out while queued for a thread never starts,
// SIGTERM ends within the timeout, and a restart recovers what was still running.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

/// Opens a FIFO for reading (without waiting for a writer) and keeps it open: every handler
/// blocked on it returns.
class fifo_reader {
 public:
  explicit fifo_reader(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_NONBLOCK)) {}
  ~fifo_reader() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  fifo_reader(const fifo_reader&) = delete;
  fifo_reader& operator=(const fifo_reader&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

class HungHandlers : public ::testing::Test {
 protected:
  std::string make_fifo(const std::string& name) {
    auto path = dir_.file(name);
    EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0) << path;
    return path;
  }

  static json::object get(const node_process& node, std::int64_t id) {
    auto r = node.inject({"get", std::to_string(id)});
    if (!r.status.exited_with(0))
      throw std::runtime_error("get " + std::to_string(id) + ": " + r.err);
    return json_line(r.out);
  }

  static bool reaches(const node_process& node, std::int64_t id, const std::string& state,
                      std::chrono::milliseconds limit = 15s) {
    return eventually([&] { return get(node, id).get_string("state") == state; }, limit);
  }

  static std::int64_t stat(const node_process& node, const std::string& key) {
    return node.stats().get_int(key).value_or(-1);
  }

  temp_dir dir_;
};

TEST_F(HungHandlers, do_not_wedge_the_node_nor_its_stop_and_a_restart_recovers_the_running_jobs) {
  node_settings s;
  s.inject_port = free_loopback_port();
  s.store_backend = "sqlite";
  s.store_path = dir_.file("jobs.db");
  s.concurrency = 2;
  s.timeout_s = 2;
  s.max_written_off_threads = 2;
  const auto stuck = make_fifo("stuck.fifo");
  const auto stuck_at_stop = make_fifo("stuck-at-stop.fifo");
  const auto marker = dir_.file("marker.txt");
  const auto hang = R"({"fifo":")" + stuck + R"("})";
  auto record = [&](const std::string& token) {
    return R"({"path":")" + marker + R"(","token":")" + token + R"("})";
  };
  std::int64_t left_running = 0;
  {
    node_process node{dir_, s};
    ASSERT_TRUE(node.wait_ready()) << node.log();

    // Two handlers hang on both slots; once they time out, their threads are written off and
    // replaced, and the next job runs.
    auto a = node.enqueue("demo.hang", hang);
    auto b = node.enqueue("demo.hang", hang);
    ASSERT_TRUE(eventually([&] { return node.jobs("running").size() == 2; }, 10s)) << node.log();
    auto first = node.enqueue("demo.record", record("first"));
    ASSERT_TRUE(reaches(node, first, "succeeded")) << node.log();
    EXPECT_EQ(get(node, a).get_string("state"), "discarded");
    EXPECT_EQ(get(node, b).get_string("state"), "discarded");
    EXPECT_EQ(stat(node, "pool_written_off"), 2);
    EXPECT_EQ(stat(node, "pool_threads"), 2);

    // Two more hang on the replacements: the bound (2) is reached, they keep their threads,
    // and a job queued for a thread times out there without starting.
    auto c = node.enqueue("demo.hang", hang);
    auto d = node.enqueue("demo.hang", hang);
    ASSERT_TRUE(reaches(node, c, "discarded")) << node.log();
    ASSERT_TRUE(reaches(node, d, "discarded")) << node.log();
    EXPECT_EQ(stat(node, "pool_written_off"), 2);
    EXPECT_NE(node.log().find("keeps its thread"), std::string::npos) << node.log();
    auto starved = node.enqueue("demo.record", record("starved"));
    ASSERT_TRUE(reaches(node, starved, "retrying")) << node.log();
    auto last_error = json_line(get(node, starved).get_raw("last_error").value_or("{}"));
    EXPECT_EQ(last_error.get_string("kind"), "timeout");

    // The dependency answers: every hung handler returns. The timed-out task is dropped when a
    // thread takes it; only the retry runs, once.
    {
      fifo_reader answer{stuck};
      ASSERT_TRUE(answer.ok());
      ASSERT_TRUE(reaches(node, starved, "succeeded")) << node.log();
      EXPECT_EQ(get(node, starved).get_int("attempt"), 2);
      EXPECT_TRUE(eventually([&] { return stat(node, "pool_written_off") == 0; }, 10s)) << node.log();
      EXPECT_EQ(stat(node, "pool_threads"), 2);
    }

    // A handler that outlives the stop's grace: SIGTERM still ends within the timeout plus a
    // few seconds, leaving the job to recovery.
    left_running = node.enqueue("demo.hang_long", R"({"fifo":")" + stuck_at_stop + R"("})");
    ASSERT_TRUE(eventually([&] { return node.jobs("running").size() == 1; }, 10s)) << node.log();
    auto signalled = std::chrono::steady_clock::now();
    node.process().signal(SIGTERM);
    auto status = node.process().wait_for(std::chrono::seconds(s.timeout_s + 5));
    ASSERT_TRUE(status.has_value()) << "the stop waited for a hung handler\n" << node.log();
    EXPECT_TRUE(status->exited_with(0)) << status->to_string() << "\n" << node.log();
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(s.timeout_s + 5));
    EXPECT_NE(node.log().find("job " + std::to_string(left_running) + " (demo.hang_long) still running "
                              "when the stop's grace ended: left to recovery"),
              std::string::npos)
      << node.log();
  }
  EXPECT_EQ(read_lines(marker), (std::vector<std::string>{"first", "starved"}))
    << "a job ran twice, or after it timed out";

  node_process restarted{dir_, s, "restarted"};
  ASSERT_TRUE(restarted.wait_ready()) << restarted.log();
  EXPECT_NE(restarted.log().find("1 requeued after a crash"), std::string::npos) << restarted.log();
  ASSERT_TRUE(reaches(restarted, left_running, "running")) << restarted.log();
  fifo_reader answer{stuck_at_stop};
  ASSERT_TRUE(answer.ok());
  ASSERT_TRUE(reaches(restarted, left_running, "succeeded")) << restarted.log();
  auto recovered = get(restarted, left_running);
  EXPECT_EQ(recovered.get_int("attempt"), 1) << "the interrupted attempt was counted";
  EXPECT_EQ(recovered.get_int("recoveries"), 1);
}

}  // namespace
}  // namespace meshjobs::testing
