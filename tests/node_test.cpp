// The node daemon as a real process: config checking, logs, graceful stop on SIGTERM, and the
// inject port end to end through meshjobs-inject.
#include <gtest/gtest.h>

#include <csignal>

#include "node_harness.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs::testing {
namespace {

run_result run_node(const temp_dir& dir, const std::vector<std::string>& args) {
  return run_to_end(MESHJOBS_NODE_BIN, args, dir.path(), 30s);
}

std::string source_file(const std::string& relative) {
  return std::string{MESHJOBS_SOURCE_DIR} + "/" + relative;
}

class NodeDaemon : public ::testing::Test {
 protected:
  node_settings settings() const {
    node_settings s;
    s.inject_port = free_loopback_port();
    return s;
  }
  temp_dir dir_;
};

TEST_F(NodeDaemon, check_accepts_the_shipped_config) {
  auto r = run_node(dir_, {"--config", source_file("config/meshjobs.yml"), "--check"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.status.to_string() << "\n" << r.err;
  EXPECT_NE(r.out.find("config ok"), std::string::npos) << r.out;
}

TEST_F(NodeDaemon, check_lists_every_error_of_a_bad_config_with_its_key) {
  auto path = dir_.file("bad.yml");
  write_file(path,
             "concurrency: 0\n"
             "timeout: soon\n"
             "queues:\n  - [default, -1]\n"
             "store:\n  backend: redis\n"
             "node:\n  inject_port: 70000\n"
             "colour: blue\n");
  auto r = run_node(dir_, {"--config", path, "--check"});
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string() << "\n" << r.err;
  for (const char* key : {"concurrency", "timeout", "queues[0]", "store.backend", "node.inject_port", "colour"})
    EXPECT_NE(r.err.find(std::string{"config: "} + key), std::string::npos) << "no error for " << key << ":\n" << r.err;
  EXPECT_EQ(split_lines(r.err).size(), 6u) << r.err;
}

TEST_F(NodeDaemon, check_names_a_cron_entry_that_can_never_fire_once_with_one_prefix) {
  auto path = dir_.file("cron.yml");
  write_file(path,
             "queues:\n  - [default, 1]\n"
             "schedule:\n  leap:\n    cron: \"0 0 30 2 *\"\n    kind: demo.noop\n");
  auto r = run_node(dir_, {"--config", path, "--check"});
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string() << "\n" << r.err;
  auto lines = split_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("config: schedule.leap.cron: never fires: ", 0), 0u) << r.err;
}

TEST_F(NodeDaemon, check_refuses_a_schedule_naming_a_job_class_no_type_has_with_exit_2) {
  auto path = dir_.file("unknown.yml");
  write_file(path,
             "queues:\n  - [default, 1]\n"
             "schedule:\n  nightly:\n    cron: \"0 4 * * *\"\n    class: \"Mesh::NopeJob\"\n");
  auto r = run_node(dir_, {"--config", path, "--check"});
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string() << "\n" << r.err;
  EXPECT_NE(r.err.find("config: schedule.nightly: no job type \"mesh.nope\""), std::string::npos) << r.err;
  auto run = run_node(dir_, {"--config", path});
  EXPECT_TRUE(run.status.exited_with(2)) << "a node does not start on it either: " << run.status.to_string();
}

TEST_F(NodeDaemon, check_names_a_bad_BATCH_CONCURRENCY_in_the_environment_with_exit_2) {
  auto r = run_to_end(MESHJOBS_NODE_BIN, {"--config", source_file("config/meshjobs.yml"), "--check"}, dir_.path(), 30s,
                      {"BATCH_CONCURRENCY=lots"});
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string() << "\n" << r.err;
  EXPECT_NE(r.err.find("BATCH_CONCURRENCY (environment): must be an integer within 1 and 1000 (got \"lots\")"),
            std::string::npos)
    << r.err;
  auto good = run_to_end(MESHJOBS_NODE_BIN, {"--config", source_file("config/meshjobs.yml"), "--check"}, dir_.path(),
                         30s, {"BATCH_CONCURRENCY=8"});
  EXPECT_TRUE(good.status.exited_with(0)) << good.status.to_string() << "\n" << good.err;
}

TEST_F(NodeDaemon, check_names_a_missing_config_file) {
  auto path = dir_.file("nowhere/meshjobs.yml");
  auto r = run_node(dir_, {"--config", path, "--check"});
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string() << "\n" << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST_F(NodeDaemon, a_database_it_cannot_write_stops_the_start_with_exit_1_and_the_reason) {
  auto s = settings();
  s.store_backend = "sqlite";
  s.store_path = dir_.file("jobs.db");
  {
    store_config cfg;
    cfg.backend = store_backend::sqlite;
    cfg.path = s.store_path;
    open_store(cfg)->put(testing_support::noop_job(1));  // a valid meshjobs file with a job
  }
  testing_support::make_unwritable_by_sqlite(s.store_path);
  node_process node{dir_, s};
  auto status = node.process().wait_for(20s);
  ASSERT_TRUE(status.has_value()) << "runs on a database it cannot write\n" << node.log();
  EXPECT_TRUE(status->exited_with(1)) << status->to_string() << "\n" << node.log();
  EXPECT_NE(node.log().find("store: " + s.store_path + ": cannot write (attempt to write a "
                            "readonly database)"),
            std::string::npos)
    << node.log();
}

TEST_F(NodeDaemon, json_log_format_writes_only_json_lines) {
  auto s = settings();
  {
    node_process node{dir_, s, "node", {"--log-format", "json"}};
    ASSERT_TRUE(node.wait_ready()) << node.log();
    node.enqueue("demo.noop", "{}");
    auto refused = node.inject({"enqueue", "demo.nope"});  // a refusal is logged too, still as JSON
    EXPECT_TRUE(refused.status.exited_with(1)) << refused.err;
    node.process().signal(SIGTERM);
    auto status = node.process().wait_for(20s);
    ASSERT_TRUE(status.has_value()) << node.log();
    EXPECT_TRUE(status->exited_with(0)) << status->to_string();
    auto lines = split_lines(node.log());
    EXPECT_GE(lines.size(), 3u) << node.log();
    for (const auto& line : lines) {
      auto error = json::check_object(line, "log line");
      EXPECT_FALSE(error.has_value()) << (error ? error->message : "") << "\n" << line;
      EXPECT_NE(line.find("\"msg\":"), std::string::npos) << line;
    }
    EXPECT_NE(node.log().find("stopped cleanly"), std::string::npos) << node.log();
  }
}

TEST_F(NodeDaemon, sigterm_lets_a_running_job_finish_and_exits_0) {
  auto s = settings();
  s.timeout_s = 10;
  node_process node{dir_, s};
  ASSERT_TRUE(node.wait_ready()) << node.log();
  auto enqueued = std::chrono::steady_clock::now();
  node.enqueue("demo.sleep", R"({"ms":1500})");
  ASSERT_TRUE(eventually([&] { return node.jobs("running").size() == 1; }, 10s)) << node.log();
  node.process().signal(SIGTERM);
  auto status = node.process().wait_for(std::chrono::seconds(s.timeout_s + 5));
  ASSERT_TRUE(status.has_value()) << "still running after the grace\n" << node.log();
  EXPECT_TRUE(status->exited_with(0)) << status->to_string() << "\n" << node.log();
  auto took = std::chrono::steady_clock::now() - enqueued;
  EXPECT_GE(took, 1500ms) << "exited before its running job could have finished";
  EXPECT_LT(took, std::chrono::seconds(s.timeout_s)) << "waited for more than the job";
  auto log = node.log();
  EXPECT_NE(log.find("SIGTERM received"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped cleanly"), std::string::npos) << log;
}

TEST_F(NodeDaemon, job_enqueued_through_inject_runs) {
  node_process node{dir_, settings()};
  ASSERT_TRUE(node.wait_ready()) << node.log();
  auto record = dir_.file("record.txt");
  auto id = node.enqueue("demo.record", R"({"path":")" + record + R"(","token":"hello"})");
  std::string state;
  ASSERT_TRUE(eventually(
    [&] {
      auto r = node.inject({"get", std::to_string(id)});
      state = r.status.exited_with(0) ? json_line(r.out).get_string("state").value_or("") : r.err;
      return state == "succeeded";
    },
    10s))
    << "last seen: " << state << "\n" << node.log();
  EXPECT_EQ(read_lines(record), std::vector<std::string>{"hello"});
}

TEST_F(NodeDaemon, a_config_without_a_default_queue_starts_and_runs_the_demo_types) {
  auto s = settings();
  s.queues = {"critical", "low"};
  node_process node{dir_, s};
  ASSERT_TRUE(node.wait_ready()) << node.log();
  auto record = dir_.file("record.txt");
  auto id = node.enqueue("demo.record", R"({"path":")" + record + R"(","token":"ran"})");
  ASSERT_TRUE(eventually(
    [&] {
      auto r = node.inject({"get", std::to_string(id)});
      return r.status.exited_with(0) && json_line(r.out).get_string("state") == "succeeded";
    },
    10s))
    << node.log();
  auto got = json_line(node.inject({"get", std::to_string(id)}).out);
  EXPECT_EQ(got.get_string("queue"), "critical") << "the config's first queue";
  EXPECT_EQ(read_lines(record), std::vector<std::string>{"ran"});
}

TEST_F(NodeDaemon, inject_of_an_unknown_kind_is_refused_with_exit_1) {
  node_process node{dir_, settings()};
  ASSERT_TRUE(node.wait_ready()) << node.log();
  auto r = node.inject({"enqueue", "demo.nope", "--args", "{}"});
  EXPECT_TRUE(r.status.exited_with(1)) << r.status.to_string() << "\n" << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  auto error = json_line(r.err).get_string("error").value_or("");
  EXPECT_NE(error.find("unknown job kind \"demo.nope\""), std::string::npos) << error;
  EXPECT_NE(error.find("demo.record"), std::string::npos) << "lists the known kinds: " << error;
}

TEST_F(NodeDaemon, inject_of_bad_json_is_a_usage_error_and_sends_nothing) {
  node_process node{dir_, settings()};
  ASSERT_TRUE(node.wait_ready()) << node.log();
  auto r = node.inject({"enqueue", "demo.noop", "--args", "{\"ms\":"});
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string() << "\n" << r.err;
  auto error = json_line(r.err).get_string("error").value_or("");
  EXPECT_NE(error.find("--args"), std::string::npos) << error;
  EXPECT_EQ(node.stats().get_int("enqueued"), 0);
  EXPECT_EQ(node.stats().get_int("processed"), 0);
}

TEST_F(NodeDaemon, inject_with_nothing_listening_exits_3_naming_the_address) {
  auto address = "127.0.0.1:" + std::to_string(free_loopback_port());
  auto r = run_inject(dir_, {"--node", address, "--keys", test_keys_dir(dir_), "stats"});
  EXPECT_TRUE(r.status.exited_with(3)) << r.status.to_string() << "\n" << r.err;
  auto error = json_line(r.err).get_string("error").value_or("");
  EXPECT_NE(error.find(address), std::string::npos) << error;
  EXPECT_NE(error.find("unreachable"), std::string::npos) << error;
}

TEST_F(NodeDaemon, jobs_lists_the_queued_jobs) {
  auto s = settings();
  s.concurrency = 1;
  node_process node{dir_, s};
  ASSERT_TRUE(node.wait_ready()) << node.log();
  node.enqueue("demo.sleep", R"({"ms":20000})");  // holds the only slot
  ASSERT_TRUE(eventually([&] { return node.jobs("running").size() == 1; }, 10s)) << node.log();
  std::vector<std::int64_t> queued;
  for (int i = 0; i < 3; ++i)
    queued.push_back(node.enqueue("demo.noop", "{}"));
  auto listed = node.jobs("enqueued");
  ASSERT_EQ(listed.size(), 3u);
  for (std::size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(listed[i].get_int("id"), queued[queued.size() - 1 - i]) << "newest first";
    EXPECT_EQ(listed[i].get_string("state"), "enqueued");
    EXPECT_EQ(listed[i].get_string("kind"), "demo.noop");
  }
}

TEST_F(NodeDaemon, cancel_of_a_scheduled_job_cancels_it) {
  node_process node{dir_, settings()};
  ASSERT_TRUE(node.wait_ready()) << node.log();
  auto id = node.enqueue("demo.noop", "{}", {"--in", "1h"});
  ASSERT_EQ(node.jobs("scheduled").size(), 1u);
  auto r = node.inject({"cancel", std::to_string(id)});
  ASSERT_TRUE(r.status.exited_with(0)) << r.status.to_string() << "\n" << r.err;
  auto answer = json_line(r.out);
  EXPECT_EQ(answer.get_int("id"), id);
  EXPECT_EQ(answer.get_string("status"), "cancelled");
  EXPECT_TRUE(node.jobs("scheduled").empty());
  auto got = node.inject({"get", std::to_string(id)});
  ASSERT_TRUE(got.status.exited_with(0)) << got.err;
  EXPECT_EQ(json_line(got.out).get_string("state"), "cancelled");
}

}  // namespace
}  // namespace meshjobs::testing
