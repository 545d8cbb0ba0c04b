// A cluster of real processes on loopback: a head (coordinator, store) and worker nodes that
// join it over the authenticated link, take work by credit and run it. Workers die (`kill -9`),
// hang (`kill -STOP`) and come back; the head restarts; none of it loses a job.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <memory>
#include <set>

#include "hostile_client.hpp"
#include "hostile_peer.hpp"
#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

/// One worker (a supervisor of one kind) as the head's stats list it.
struct worker_view {
  std::string node;
  std::int64_t running = 0;
};

/// The head's registered workers, from `stats` (its "workers" array holds flat objects).
std::vector<worker_view> workers_of(const json::object& stats) {
  std::vector<worker_view> out;
  auto raw = stats.get_raw("workers").value_or("[]");
  if (raw.size() <= 2)
    return out;
  raw = raw.substr(1, raw.size() - 2);
  std::size_t start = 0;
  while (start < raw.size()) {
    auto end = raw.find("},{", start);
    auto text = raw.substr(start, end == std::string::npos ? std::string::npos : end + 1 - start);
    auto w = json_line(text);
    out.push_back({w.get_string("node").value_or(""), w.get_int("running").value_or(-1)});
    if (end == std::string::npos)
      break;
    start = end + 2;
  }
  return out;
}

std::map<std::string, std::int64_t> running_by_node(const node_process& head) {
  std::map<std::string, std::int64_t> out;
  for (const auto& w : workers_of(head.stats()))
    out[w.node] += w.running;
  return out;
}

std::string record_args(const temp_dir& dir, int token, int ms) {
  return "{\"path\":\"" + dir.file("record.txt") + "\",\"token\":\"" + std::to_string(token) +
         "\",\"ms\":" + std::to_string(ms) + "}";
}

class Cluster : public ::testing::Test {
 protected:
  node_settings head_settings() const {
    node_settings s;
    s.top_yaml = head_top_yaml;
    s.inject_port = inject_port;
    s.store_backend = "sqlite";
    s.store_path = dir.file("head.db");
    s.connection_timeout_ms = connection_timeout_ms;
    return s;
  }

  void start_head() {
    head = std::make_unique<node_process>(dir, head_settings(), "head",
                                          std::vector<std::string>{"--role", "head", "--name", "head", "--cluster-port",
                                                                   std::to_string(cluster_port)});
    ASSERT_TRUE(head->wait_ready()) << head->log();
  }

  std::unique_ptr<node_process> start_worker(const std::string& name, int concurrency = 2,
                                             std::uint16_t worker_inject_port = 0) {
    node_settings s;
    s.inject_port = worker_inject_port;
    s.top_yaml = worker_top_yaml;
    s.concurrency = concurrency;
    s.connection_timeout_ms = connection_timeout_ms;
    s.security_yaml = worker_security_yaml;
    std::vector<std::string> args{"--role", "worker", "--name", name, "--join",
                                  "127.0.0.1:" + std::to_string(cluster_port)};
    return std::make_unique<node_process>(dir, s, name, args);
  }

  /// True once the head lists a worker of every node named (and of none other).
  bool joined(const std::set<std::string>& nodes, std::chrono::milliseconds limit = 20s) {
    return eventually(
      [&] {
        std::set<std::string> seen;
        for (const auto& w : workers_of(head->stats()))
          seen.insert(w.node);
        return seen == nodes;
      },
      limit);
  }

  /// The head, then w1 and w2 (concurrency 2 each), once both have joined.
  void start_head_and_two_workers() {
    ASSERT_NO_FATAL_FAILURE(start_head());
    w1 = start_worker("w1");
    w2 = start_worker("w2");
    ASSERT_TRUE(joined({"w1", "w2"})) << head->log() << w1->log() << w2->log();
  }

  /// Enqueues `jobs` demo.record jobs of `ms` each while their queue is paused, resumes it and
  /// returns once w1 and w2 each run two (their concurrency): a kill or a stop then finds both
  /// busy, however slowly the enqueues went.
  void fill_until_both_workers_run_two(int jobs, int ms) {
    ASSERT_TRUE(head->inject({"pause", "default"}).status.exited_with(0));
    for (int i = 0; i < jobs; ++i)
      head->enqueue("demo.record", record_args(dir, i, ms));
    ASSERT_TRUE(head->inject({"resume", "default"}).status.exited_with(0));
    ASSERT_TRUE(eventually(
      [&] {
        auto running = running_by_node(*head);
        return running["w1"] == 2 && running["w2"] == 2;
      },
      30s))
      << head->log();
  }

  std::size_t count(const std::string& state) const { return head->jobs(state).size(); }

  std::vector<std::string> records() const { return read_lines(dir.file("record.txt")); }

  temp_dir dir;
  std::uint16_t inject_port = free_loopback_port();
  std::uint16_t cluster_port = free_loopback_port();
  int connection_timeout_ms = 10000;
  std::string worker_security_yaml;
  std::string head_top_yaml;
  std::string worker_top_yaml;
  std::unique_ptr<node_process> head;
  std::unique_ptr<node_process> w1, w2;
};

TEST_F(Cluster, a_head_and_two_workers_share_the_jobs_and_the_head_runs_none) {
  ASSERT_NO_FATAL_FAILURE(start_head_and_two_workers());

  constexpr int jobs = 8;
  for (int i = 0; i < jobs; ++i)
    head->enqueue("demo.record", record_args(dir, i, 400));
  std::set<std::string> busy;
  EXPECT_TRUE(eventually(
    [&] {
      for (const auto& [node, running] : running_by_node(*head))
        if (running > 0)
          busy.insert(node);
      return busy == std::set<std::string>{"w1", "w2"};
    },
    20s))
    << "each worker ran some of the jobs";
  ASSERT_TRUE(eventually([&] { return count("succeeded") == jobs; }, 30s)) << head->log();
  auto lines = records();
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(jobs));
  // `meshjobs-inject nodes`: the head first, then each worker node with its kinds and capacity.
  auto nodes = head->nodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0].get_string("node"), "head");
  EXPECT_EQ(nodes[0].get_string("role"), "head");
  EXPECT_EQ(nodes[0].get_raw("kinds"), "[]") << "a head runs no jobs itself";
  std::set<std::string> workers;
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    const auto& w = nodes[i];
    workers.insert(w.get_string("node").value_or(""));
    EXPECT_EQ(w.get_string("role"), "worker");
    EXPECT_NE(w.get_raw("kinds").value_or("").find("demo.record"), std::string::npos);
    EXPECT_GT(w.get_int("capacity").value_or(0), 0);
    EXPECT_EQ(w.get_int("busy"), 0);
  }
  EXPECT_EQ(workers, (std::set<std::string>{"w1", "w2"}));
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), static_cast<std::size_t>(jobs));
  EXPECT_EQ(head->stats().get_string("role"), "head");
}

TEST_F(Cluster, a_worker_killed_under_load_loses_nothing_and_only_its_running_jobs_run_twice) {
  ASSERT_NO_FATAL_FAILURE(start_head_and_two_workers());
  constexpr int jobs = 8;
  ASSERT_NO_FATAL_FAILURE(fill_until_both_workers_run_two(jobs, 2000));  // w1 is killed while it runs two
  w1->process().kill();

  ASSERT_TRUE(eventually([&] { return count("succeeded") == jobs; }, 60s)) << head->log() << w2->log();
  for (const auto& j : head->jobs("succeeded"))
    EXPECT_EQ(j.get_int("attempt"), 1) << "a job lost with its worker spends no attempt";
  auto lines = records();
  std::set<std::string> tokens(lines.begin(), lines.end());
  EXPECT_EQ(tokens.size(), static_cast<std::size_t>(jobs)) << "every job ran";
  EXPECT_LE(lines.size() - tokens.size(), 2u) << "only the jobs running on w1 (its concurrency: 2) may run twice";
  EXPECT_NE(head->log().find("on w1 is gone: its 2 running jobs go back to their queues"), std::string::npos)
    << head->log();
}

TEST_F(Cluster, a_hung_worker_s_jobs_run_elsewhere_and_its_late_outcomes_are_not_applied_twice) {
  connection_timeout_ms = 1500;
  ASSERT_NO_FATAL_FAILURE(start_head_and_two_workers());
  constexpr int jobs = 4;
  ASSERT_NO_FATAL_FAILURE(fill_until_both_workers_run_two(jobs, 5000));

  w1->process().signal(SIGSTOP);
  ASSERT_TRUE(joined({"w2"}, 15s)) << "the head gives the hung worker up\n" << head->log();
  w1->process().signal(SIGCONT);
  ASSERT_TRUE(joined({"w1", "w2"}, 20s)) << "it joins again\n" << head->log() << w1->log();

  ASSERT_TRUE(eventually([&] { return count("succeeded") == jobs; }, 60s)) << head->log();
  // w1's two runs go on after SIGCONT and report once it has joined again. Each of their
  // outcomes is applied when its job still waited in its queue, and ignored when the job was
  // handed out again meanwhile (to w2, or to w1 itself): the head says which, once per outcome.
  auto late_reports = [&] {
    auto log = head->log();
    std::size_t n = 0;
    for (const char* said : {"came after its worker was given up", "is of an earlier run", "which does not run it"})
      for (auto at = log.find(said); at != std::string::npos; at = log.find(said, at + 1))
        ++n;
    return n;
  };
  ASSERT_TRUE(eventually([&] { return late_reports() == 2; }, 30s)) << head->log() << w1->log();
  auto lines = records();
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), static_cast<std::size_t>(jobs));
  EXPECT_LE(lines.size(), static_cast<std::size_t>(jobs + 2)) << "only w1's two jobs may have run twice";
  EXPECT_EQ(count("succeeded"), static_cast<std::size_t>(jobs));
  EXPECT_EQ(count("running"), 0u);
  EXPECT_EQ(count("enqueued"), 0u);
  for (const auto& j : head->jobs("succeeded"))
    EXPECT_EQ(j.get_int("attempt"), 1);
}

TEST_F(Cluster, a_head_killed_and_restarted_under_load_loses_nothing_and_its_workers_rejoin) {
  ASSERT_NO_FATAL_FAILURE(start_head_and_two_workers());
  constexpr int jobs = 20;
  ASSERT_NO_FATAL_FAILURE(fill_until_both_workers_run_two(jobs, 1000));
  head->process().kill();
  head.reset();
  // Each worker runs two jobs as the head goes: they end while it is away.
  const std::string keeping = "keeping the outcomes of jobs that end here until the head is back";
  ASSERT_TRUE(eventually([&] { return w1->log().find(keeping) != std::string::npos; }, 20s)) << w1->log();
  ASSERT_TRUE(eventually([&] { return w2->log().find(keeping) != std::string::npos; }, 20s)) << w2->log();
  ASSERT_NO_FATAL_FAILURE(start_head());  // the same store, the same ports
  ASSERT_TRUE(joined({"w1", "w2"})) << head->log() << w1->log();

  ASSERT_TRUE(eventually([&] { return count("succeeded") == jobs; }, 60s)) << head->log();
  auto lines = records();
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), static_cast<std::size_t>(jobs));
  EXPECT_NE(w1->log().find("rejoined the head"), std::string::npos) << w1->log();
  // The first worker to register hands over what it kept before it is given any job: applied,
  // those jobs do not run again. (The other's may have been handed out to the first by then.)
  EXPECT_NE(head->log().find("came after its worker was given up; the job had not run again, so it is applied"),
            std::string::npos)
    << head->log();
}

TEST_F(Cluster, a_signal_sent_to_the_head_reaches_a_job_running_on_a_worker_and_its_progress_comes_back) {
  ASSERT_NO_FATAL_FAILURE(start_head());
  w1 = start_worker("w1");
  ASSERT_TRUE(joined({"w1"})) << head->log();
  auto id = head->enqueue("demo.signal", "{\"ms\":60000}");
  ASSERT_TRUE(eventually(
    [&] {
      auto r = head->inject({"get", std::to_string(id)});
      return r.status.exited_with(0) && json_line(r.out).get_string("progress_message") == "waiting for a signal";
    },
    20s))
    << "the job's first progress, reported on w1, is on the head\n" << head->log();
  auto r = head->inject({"signal", std::to_string(id), R"({"status":"completed"})"});
  ASSERT_TRUE(r.status.exited_with(0)) << r.err;
  ASSERT_TRUE(eventually([&] { return count("succeeded") == 1; }, 20s)) << head->log() << w1->log();
  auto done = json_line(head->inject({"get", std::to_string(id)}).out);
  EXPECT_EQ(done.get_int("progress"), 100);
  EXPECT_NE(done.get_string("progress_message").value_or("").find("completed"), std::string::npos);
}

TEST_F(Cluster, a_queue_s_limit_holds_across_the_workers_of_the_cluster) {
  head_top_yaml = "limits:\n  default: 1\n";
  ASSERT_NO_FATAL_FAILURE(start_head_and_two_workers());
  constexpr int jobs = 6;
  for (int i = 0; i < jobs; ++i)
    head->enqueue("demo.record", record_args(dir, i, 300));
  std::int64_t most = 0;
  std::size_t samples = 0;
  ASSERT_TRUE(eventually(
    [&] {
      std::int64_t running = 0;
      for (const auto& [node, n] : running_by_node(*head))
        running += n;
      most = std::max(most, running);
      ++samples;
      return count("succeeded") == jobs;
    },
    60s, 20ms))
    << head->log();
  EXPECT_EQ(most, 1) << "at most one job of the queue ran at a time, over " << samples << " samples";
}

TEST_F(Cluster, meshjobs_inject_talks_to_the_cluster_through_a_worker_s_inject_port_too) {
  ASSERT_NO_FATAL_FAILURE(start_head());
  w1 = start_worker("w1", 2, free_loopback_port());
  ASSERT_TRUE(joined({"w1"})) << head->log();
  ASSERT_TRUE(w1->wait_ready()) << w1->log();
  auto id = w1->enqueue("demo.record", record_args(dir, 1, 0));
  EXPECT_TRUE(eventually([&] { return count("succeeded") == 1; }, 20s)) << id << head->log();
  auto nodes = w1->nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].get_string("node"), "head") << "the worker relays to its head, which answers";
  EXPECT_EQ(nodes[1].get_string("node"), "w1");
}

TEST_F(Cluster, cron_fires_on_the_head_only_even_when_the_workers_carry_the_same_schedule) {
  const auto schedule = "schedule:\n  every_minute:\n    cron: \"* * * * *\"\n    kind: demo.record\n"
                        "    args: {path: \"" + dir.file("cron.txt") + "\", token: fired}\n";
  head_top_yaml = schedule;
  worker_top_yaml = schedule;
  ASSERT_NO_FATAL_FAILURE(start_head_and_two_workers());
  // The next minute's slot: at most a minute away.
  ASSERT_TRUE(eventually([&] { return !read_lines(dir.file("cron.txt")).empty(); }, 75s)) << head->log();
  const auto fired_here = [&] {
    auto log = head->log();
    std::size_t n = 0;
    for (auto at = log.find("cron every_minute: enqueued"); at != std::string::npos;
         at = log.find("cron every_minute: enqueued", at + 1))
      ++n;
    return n;
  };
  EXPECT_GE(fired_here(), 1u);
  ASSERT_TRUE(eventually([&] { return count("succeeded") == fired_here(); }, 20s))
    << "every demo.record job is one the head's cron enqueued\n" << head->log();
  EXPECT_EQ(w1->log().find("cron"), std::string::npos) << w1->log();
  EXPECT_EQ(w2->log().find("cron"), std::string::npos) << w2->log();
}

TEST_F(Cluster, a_worker_with_the_wrong_secret_is_refused_and_logged) {
  ASSERT_NO_FATAL_FAILURE(start_head());
  worker_security_yaml = "  secret: not-the-cluster-secret\n";
  auto intruder = start_worker("intruder");
  EXPECT_TRUE(eventually([&] { return intruder->log().find("cannot join the head") != std::string::npos; }, 20s))
    << intruder->log();
  EXPECT_TRUE(eventually(
    [&] {
      auto log = head->log();
      return log.find("cluster port: refused 127.0.0.1:") != std::string::npos &&
             log.find("wrong cluster secret") != std::string::npos;
    },
    10s))
    << head->log();
  EXPECT_TRUE(workers_of(head->stats()).empty());
}

TEST_F(Cluster, a_plaintext_worker_is_refused_by_a_tls_head) {
  ASSERT_NO_FATAL_FAILURE(start_head());
  worker_security_yaml = "  transport: plaintext\n";
  auto plain = start_worker("plain");
  EXPECT_TRUE(eventually([&] { return plain->log().find("cannot join the head") != std::string::npos; }, 20s))
    << plain->log();
  EXPECT_TRUE(workers_of(head->stats()).empty());
  EXPECT_TRUE(eventually([&] { return head->log().find("cluster port: refused 127.0.0.1:") != std::string::npos; },
                         10s))
    << head->log();
  EXPECT_TRUE(head->process().running());
}

TEST_F(Cluster, garbage_exit_kill_and_unknown_messages_to_the_cluster_port_leave_the_head_serving_workers) {
  ASSERT_NO_FATAL_FAILURE(start_head());
  {
    hostile_client peer{head->keys_dir()};
    EXPECT_TRUE(peer.send_unknown_message(cluster_port));
    peer.kill_published_actor(cluster_port);
    EXPECT_TRUE(eventually([&] { return head->log().find("a new front actor serves the cluster port") != std::string::npos; },
                           10s))
      << head->log();
    auto log = head->log();
    EXPECT_NE(log.find("sent an exit message (kill)"), std::string::npos) << log;
    EXPECT_NE(log.find("a message the front does not accept"), std::string::npos) << log;
  }
  {
    // Before any handshake: bytes that are no TLS, and a BASP header claiming 4 GiB.
    std::string garbage;
    for (int i = 0; i < 4096; ++i)
      garbage += static_cast<char>((i * 7919 + 13) & 0xff);
    raw_connection noise{cluster_port};
    noise.send_bytes(garbage);
    EXPECT_TRUE(noise.closed_by_peer_within(10000));
    raw_connection claim{cluster_port};
    claim.send_bytes(basp_header_claiming(0xffffffffu));
    EXPECT_TRUE(claim.closed_by_peer_within(10000));
    EXPECT_TRUE(eventually([&] { return head->log().find("cluster port: refused 127.0.0.1:") != std::string::npos; },
                           10s))
      << head->log();
  }
  w1 = start_worker("w1");
  ASSERT_TRUE(joined({"w1"})) << head->log() << w1->log();
  auto id = head->enqueue("demo.record", record_args(dir, 1, 0));
  EXPECT_TRUE(eventually([&] { return count("succeeded") == 1; }, 20s)) << id << head->log();
}

TEST_F(Cluster, a_worker_without_a_head_to_join_keeps_trying_and_joins_when_it_comes) {
  w1 = start_worker("w1");
  EXPECT_TRUE(eventually([&] { return w1->log().find("cannot join the head") != std::string::npos; }, 20s))
    << w1->log();
  ASSERT_NO_FATAL_FAILURE(start_head());
  EXPECT_TRUE(joined({"w1"})) << head->log() << w1->log();
}

}  // namespace
}  // namespace meshjobs::testing
