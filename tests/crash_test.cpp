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

class CrashRecovery : public ::testing::Test {
 protected:
  std::string record_args(const std::string& token, int ms) const {
    return R"({"path":")" + record_ + R"(","token":")" + token + R"(","ms":)" + std::to_string(ms) + "}";
  }

  temp_dir dir_;
  std::string record_ = dir_.file("record.txt");
};

TEST_F(CrashRecovery, kill_9_loses_no_job_and_reruns_only_the_running_ones) {
  node_settings s;
  s.inject_port = free_loopback_port();
  s.store_backend = "sqlite";
  s.store_path = dir_.file("jobs.db");
  s.concurrency = 2;
  s.timeout_s = 30;
  std::map<std::int64_t, std::string> token_of;
  std::map<std::string, std::int64_t> running_at_kill;  // token -> id

  {
    node_process first{dir_, s, "first"};
    ASSERT_TRUE(first.wait_ready()) << first.log();
    first.set_inject_env({asan_options_without_leak_check()});
    // Every job is first scheduled for the same moment, far enough ahead for all the enqueues
    // to be done by then: the node promotes them together and its queue hands the two long,
    // high-priority ones the two slots, so the rest is queued behind them. Each enqueue is a
    // process start, whose cost depends on the machine and its load: time one round of them.
    auto probe_started = std::chrono::steady_clock::now();
    for (const auto& r : first.inject_all(std::vector<std::vector<std::string>>(enqueue_processes, {"stats"}),
                                          enqueue_processes))
      ASSERT_TRUE(r.status.exited_with(0)) << r.err;
    auto per_round = std::chrono::steady_clock::now() - probe_started;
    constexpr int rounds = (2 + queued_jobs + scheduled_jobs + enqueue_processes - 1) / enqueue_processes;
    auto start_in = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::clamp<std::chrono::steady_clock::duration>(per_round * rounds * 3 / 2 + 1s, 3s, 15s));
    auto start_at = std::chrono::system_clock::now() + start_in;
    auto enqueue_started = std::chrono::steady_clock::now();
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
    for (std::size_t i = 0; i < 2; ++i) {  // the long ones first, whatever happens next
      auto answer = first.inject(commands[i]);
      ASSERT_TRUE(answer.status.exited_with(0)) << answer.err;
      token_of[*json_line(answer.out).get_int("id")] = tokens[i];
    }
    std::vector<std::vector<std::string>> rest(commands.begin() + 2, commands.end());
    auto answers = first.inject_all(rest, enqueue_processes);
    for (std::size_t i = 0; i < answers.size(); ++i) {
      ASSERT_TRUE(answers[i].status.exited_with(0)) << answers[i].err;
      token_of[*json_line(answers[i].out).get_int("id")] = tokens[i + 2];
    }
    auto enqueue_took = std::chrono::steady_clock::now() - enqueue_started;

    // Kill once the two run, the rest waits behind them, and the store file holds both as
    // running: that is what the restart will see.
    std::vector<json::object> running;
    std::int64_t enqueued = 0, scheduled = 0;
    ASSERT_TRUE(eventually(
      [&] {
        auto st = first.stats();
        enqueued = st.get_int("enqueued").value_or(-1);
        scheduled = st.get_int("scheduled").value_or(-1);
        if (st.get_int("running") != 2 || enqueued < queued_jobs)
          return false;
        running = first.jobs("running");
        return running.size() == 2 && running_in_store(s.store_path).size() == 2;
      },
      start_in + 20s, 100ms))
      << first.log();
    for (const auto& j : running)
      running_at_kill[token_of.at(*j.get_int("id"))] = *j.get_int("id");
    auto killed = first.process().kill();
    auto killed_after = std::chrono::system_clock::now() - start_at;
    std::cout << "[ figures  ] one round of inject processes " << std::chrono::duration_cast<std::chrono::milliseconds>(per_round).count()
              << " ms, start in " << start_in.count()
              << " ms, enqueues took " << std::chrono::duration_cast<std::chrono::milliseconds>(enqueue_took).count()
              << " ms; at the kill (" << std::chrono::duration_cast<std::chrono::milliseconds>(killed_after).count()
              << " ms after the start): running " << running.size() << ", enqueued " << enqueued
              << ", scheduled " << scheduled << "\n";
    EXPECT_EQ(killed.signal, SIGKILL) << killed.to_string();
    ASSERT_TRUE(read_lines(record_).empty()) << "a job finished before the kill:\n" << read_file(record_);
    EXPECT_EQ(running_at_kill.count("running-0") + running_at_kill.count("running-1"), 2u);
  }

  node_process second{dir_, s, "second"};
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
  for (const auto& [token, id] : running_at_kill) {
    auto r = second.inject({"get", std::to_string(id)});
    ASSERT_TRUE(r.status.exited_with(0)) << r.err;
    auto j = json_line(r.out);
    EXPECT_EQ(j.get_int("recoveries"), 1) << r.out;
    EXPECT_EQ(j.get_int("attempt"), 1) << "a recovery does not spend an attempt: " << r.out;
    EXPECT_EQ(j.get_string("state"), "succeeded") << r.out;
  }
  second.process().signal(SIGTERM);
  auto stopped = second.process().wait_for(std::chrono::seconds(s.timeout_s + 5));
  ASSERT_TRUE(stopped.has_value()) << second.log();
  EXPECT_TRUE(stopped->exited_with(0)) << stopped->to_string() << "\n" << second.log();

  std::map<std::string, int> times_run;
  auto lines = read_lines(record_);
  for (const auto& token : lines)
    times_run[token] += 1;
  int duplicates = 0;
  for (const auto& [id, token] : token_of)
    EXPECT_GE(times_run[token], 1) << "job " << id << " (" << token << ") was lost";
  EXPECT_EQ(times_run.size(), token_of.size()) << "tokens recorded that no job carried";
  for (const auto& [token, count] : times_run) {
    if (count > 1) {
      duplicates += count - 1;
      EXPECT_EQ(running_at_kill.count(token), 1u) << token << " ran " << count << " times but was not running at the kill";
    }
  }
  std::cout << "[ figures  ] jobs " << token_of.size() << ", executions recorded " << lines.size()
            << ", duplicates " << duplicates << ", running at the kill " << running_at_kill.size() << "\n";
}

}  // namespace
}  // namespace meshjobs::testing
