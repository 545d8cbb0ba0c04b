// kill -9 of a node on the SQLite store loses no job: a restarted node runs every job that was
// enqueued, scheduled or running, and only the running ones may run twice (at-least-once).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>

#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

constexpr int long_ms = 5000;
constexpr int queued_jobs = 20;
constexpr int scheduled_jobs = 5;
constexpr int enqueue_processes = 4;  // meshjobs-inject processes at once

/// `--at` text: ISO-8601 UTC with milliseconds.
std::string iso_utc(std::chrono::system_clock::time_point t) {
  auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  std::time_t seconds = since_epoch.count() / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(since_epoch.count() % 1000));
  return text;
}

/// The ids the store file holds as running: what a restart will see, read beside the node.
std::set<std::int64_t> running_in_store(const std::string& path) {
  std::set<std::int64_t> ids;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 1000);
    sqlite3_stmt* rows = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT id FROM jobs WHERE state = 'running'", -1, &rows, nullptr) == SQLITE_OK)
      while (sqlite3_step(rows) == SQLITE_ROW)
        ids.insert(sqlite3_column_int64(rows, 0));
    sqlite3_finalize(rows);
  }
  sqlite3_close(db);
  return ids;
}

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

class CrashRecovery : public ::testing::Test {
 protected:
  CrashRecovery() {
    settings_.inject_port = free_loopback_port();
    settings_.store_backend = "sqlite";
    settings_.store_path = dir_.file("jobs.db");
    settings_.concurrency = 2;
    settings_.timeout_s = 30;
  }

  std::string record_args(const std::string& token, int ms) const {
    return R"({"path":")" + record_ + R"(","token":")" + token + R"(","ms":)" + std::to_string(ms) + "}";
  }

  /// How far ahead to start the workload so that all of it is enqueued by then. Each enqueue
  /// is a process start, whose cost depends on the machine and its load: time one round and
  /// allow half as much again (seen: the enqueues took up to 1.7 times the estimate). Falling a
  /// little short costs nothing: the long jobs leave seconds for the last enqueues.
  milliseconds time_to_enqueue(const node_process& node) const {
    auto started = steady_clock::now();
    for (const auto& r : node.inject_all(std::vector<std::vector<std::string>>(enqueue_processes, {"stats"}),
                                         enqueue_processes))
      if (!r.status.exited_with(0))
        throw std::runtime_error("stats: " + r.err);
    auto per_round = steady_clock::now() - started;
    constexpr int rounds = (2 + queued_jobs + scheduled_jobs + enqueue_processes - 1) / enqueue_processes;
    return duration_cast<milliseconds>(
      std::clamp<steady_clock::duration>(per_round * rounds * 3 / 2 + 1s, 2s, 15s));
  }

  /// Every job is scheduled for `start_at` (the last five 2 s later): the node promotes them
  /// together and its queue hands the two long, high-priority ones the two slots, so the rest
  /// is queued behind them however long the enqueues took.
  void enqueue_workload(const node_process& node, system_clock::time_point start_at) {
    std::vector<std::vector<std::string>> commands;
    std::vector<std::string> tokens;
    auto add = [&](const std::string& token, int ms, std::vector<std::string> options) {
      tokens.push_back(token);
      commands.push_back({"enqueue", "demo.record", "--args", record_args(token, ms)});
      commands.back().insert(commands.back().end(), options.begin(), options.end());
    };
    for (int i = 0; i < 2; ++i)
      add("running-" + std::to_string(i), long_ms, {"--at", iso_utc(start_at), "--priority", "10"});
    for (int i = 0; i < queued_jobs; ++i)
      add("queued-" + std::to_string(i), 0, {"--at", iso_utc(start_at)});
    for (int i = 0; i < scheduled_jobs; ++i)
      add("scheduled-" + std::to_string(i), 0, {"--at", iso_utc(start_at + 2s)});
    std::vector<run_result> answers;
    for (std::size_t i = 0; i < 2; ++i)  // the long ones first, whatever happens next
      answers.push_back(node.inject(commands[i]));
    auto rest = node.inject_all({commands.begin() + 2, commands.end()}, enqueue_processes);
    answers.insert(answers.end(), rest.begin(), rest.end());
    for (std::size_t i = 0; i < answers.size(); ++i) {
      ASSERT_TRUE(answers[i].status.exited_with(0)) << answers[i].err;
      token_of_[*json_line(answers[i].out).get_int("id")] = tokens[i];
    }
  }

  /// Kills the node once the two long jobs run, the queued ones wait behind them and the store
  /// file holds both as running (what a restart will see). Returns what it saw, for the figures.
  std::string kill_mid_run(node_process& node) {
    std::vector<json::object> running;
    std::int64_t enqueued = 0, scheduled = 0;
    bool mid_run = eventually(
      [&] {
        auto st = node.stats();
        enqueued = st.get_int("enqueued").value_or(-1);
        scheduled = st.get_int("scheduled").value_or(-1);
        if (st.get_int("running") != 2 || enqueued < queued_jobs)
          return false;
        running = node.jobs("running");
        return running.size() == 2 && running_in_store(settings_.store_path).size() == 2;
      },
      35s, 100ms);
    if (!mid_run)
      throw std::runtime_error("the workload never reached 2 running, " + std::to_string(queued_jobs) +
                               " queued:\n" + node.log());
    for (const auto& j : running)
      running_at_kill_[token_of_.at(*j.get_int("id"))] = *j.get_int("id");
    auto killed = node.process().kill();
    EXPECT_EQ(killed.signal, SIGKILL) << killed.to_string();
    return "running " + std::to_string(running.size()) + ", enqueued " + std::to_string(enqueued) +
           ", scheduled " + std::to_string(scheduled);
  }

  temp_dir dir_;
  std::string record_ = dir_.file("record.txt");
  node_settings settings_;
  std::map<std::int64_t, std::string> token_of_;
  std::map<std::string, std::int64_t> running_at_kill_;  // token -> id
};

TEST_F(CrashRecovery, kill_9_loses_no_job_and_reruns_only_the_running_ones) {
  {
    node_process first{dir_, settings_, "first"};
    ASSERT_TRUE(first.wait_ready()) << first.log();
    first.set_inject_env({asan_options_without_leak_check()});
    auto start_in = time_to_enqueue(first);
    auto start_at = system_clock::now() + start_in;
    auto enqueue_started = steady_clock::now();
    enqueue_workload(first, start_at);
    if (HasFatalFailure())
      return;
    auto enqueue_took = duration_cast<milliseconds>(steady_clock::now() - enqueue_started);
    auto seen = kill_mid_run(first);
    auto killed_after = duration_cast<milliseconds>(system_clock::now() - start_at);
    std::cout << "[ figures  ] start in " << start_in.count() << " ms, enqueues took " << enqueue_took.count()
              << " ms; killed " << killed_after.count() << " ms after the start: " << seen << "\n";
    ASSERT_TRUE(read_lines(record_).empty()) << "a job finished before the kill:\n" << read_file(record_);
    ASSERT_EQ(running_at_kill_.count("running-0") + running_at_kill_.count("running-1"), 2u);
  }

  node_process second{dir_, settings_, "second"};
  second.set_inject_env({asan_options_without_leak_check()});
  ASSERT_TRUE(second.wait_ready()) << second.log();
  EXPECT_NE(second.log().find("2 requeued after a crash"), std::string::npos) << second.log();
  ASSERT_TRUE(eventually(
    [&] {
      auto st = second.stats();
      return st.get_int("enqueued") == 0 && st.get_int("running") == 0 && st.get_int("scheduled") == 0;
    },
    20s, 200ms))
    << second.log();
  for (const auto& [token, id] : running_at_kill_) {
    auto r = second.inject({"get", std::to_string(id)});
    ASSERT_TRUE(r.status.exited_with(0)) << r.err;
    auto j = json_line(r.out);
    EXPECT_EQ(j.get_int("recoveries"), 1) << r.out;
    EXPECT_EQ(j.get_int("attempt"), 1) << "a recovery does not spend an attempt: " << r.out;
    EXPECT_EQ(j.get_string("state"), "succeeded") << r.out;
  }
  second.process().signal(SIGTERM);
  auto stopped = second.process().wait_for(std::chrono::seconds(settings_.timeout_s + 5));
  ASSERT_TRUE(stopped.has_value()) << second.log();
  EXPECT_TRUE(stopped->exited_with(0)) << stopped->to_string() << "\n" << second.log();

  std::map<std::string, int> times_run;
  auto lines = read_lines(record_);
  for (const auto& token : lines)
    times_run[token] += 1;
  int duplicates = 0;
  for (const auto& [token, count] : times_run) {
    EXPECT_EQ(std::count_if(token_of_.begin(), token_of_.end(), [&](const auto& j) { return j.second == token; }), 1)
      << "recorded a token no job carried: " << token;
    if (count > 1) {
      duplicates += count - 1;
      EXPECT_EQ(running_at_kill_.count(token), 1u) << token << " ran " << count << " times but was not running at the kill";
    }
  }
  for (const auto& [id, token] : token_of_)
    EXPECT_EQ(times_run.count(token), 1u) << "job " << id << " (" << token << ") was lost";
  std::cout << "[ figures  ] jobs " << token_of_.size() << ", executions recorded " << lines.size()
            << ", duplicates " << duplicates << ", running at the kill " << running_at_kill_.size() << "\n";
}

}  // namespace
}  // namespace meshjobs::testing
