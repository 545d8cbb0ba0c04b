// meshjobs-cluster as a real process: it starts a real head and real workers, restarts one
// killed with SIGKILL, gives a node up past its restart budget, stops them all on SIGTERM, and
// checks cluster files and its arguments. Loopback only.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <set>

#include "launcher_harness.hpp"
#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

run_result run_launcher(const temp_dir& dir, const std::vector<std::string>& args) {
  return run_to_end(MESHJOBS_CLUSTER_BIN, args, dir.path(), 30s);
}

class ClusterLauncher : public ::testing::Test {
 protected:
  /// Every node's config: a memory store, so that the nodes start fast.
  std::string node_config() const {
    auto path = dir_.file("node.yml");
    write_file(path, node_config_yaml(node_settings{}));
    return path;
  }

  /// A head and two workers, all up: both workers have joined the head.
  launcher_process start_cluster(std::vector<std::string> extra = {}, int grace_s = 20) {
    std::vector<std::string> args{"--workers", "2", "--config", node_config(), "--grace", std::to_string(grace_s)};
    args.insert(args.end(), extra.begin(), extra.end());
    launcher_process launcher{dir_, args};
    EXPECT_TRUE(launcher.wait_for_output("worker2 (worker, pid", 60s)) << launcher.output();
    EXPECT_TRUE(launcher.wait_for_nodes(all_nodes, keys_of(launcher), 60s)) << launcher.output();
    return launcher;
  }

  static std::string keys_of(const launcher_process& launcher) { return launcher.run_dir() + "/keys"; }

  /// Starts a demo.hang job, which blocks until a FIFO has a reader and never gets one: the
  /// graceful stop of the worker running it would wait the config's timeout (30 s) for it.
  /// True once the job runs.
  bool run_a_job_that_hangs(const launcher_process& launcher) {
    const auto fifo = dir_.file("fifo");
    if (::mkfifo(fifo.c_str(), 0600) != 0)
      return false;
    const auto node = "127.0.0.1:" + std::to_string(*launcher.inject_port());
    auto enqueued = run_inject(dir_, {"--node", node, "--keys", keys_of(launcher), "enqueue", "demo.hang", "--args",
                                      "{\"fifo\":\"" + fifo + "\"}"});
    return enqueued.status.exited_with(0) && eventually([&] {
      auto running = run_inject(dir_, {"--node", node, "--keys", keys_of(launcher), "list", "--state", "running"});
      return split_lines(running.out).size() == 1;
    }, 30s, 200ms);
  }

  const std::set<std::string> all_nodes{"head", "worker1", "worker2"};

  /// Writes `yaml` as a cluster file, runs --check on it, expects exit 2 and nothing on stdout;
  /// returns the lines it printed on stderr.
  std::vector<std::string> check_errors(const std::string& yaml) {
    auto file = dir_.file("cluster.yml");
    write_file(file, yaml);
    auto r = run_launcher(dir_, {"--file", file, "--check"});
    EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string() << "\n" << r.err;
    EXPECT_EQ(r.out, "");
    return split_lines(r.err);
  }

  temp_dir dir_;
};

TEST_F(ClusterLauncher, starts_a_head_then_two_workers_and_prints_where_the_head_listens) {
  auto launcher = start_cluster();
  const auto out = launcher.output();
  for (const char* node : {"head", "worker1", "worker2"}) {
    auto pid = launcher.pid_of(node);
    ASSERT_TRUE(pid) << node << " not started:\n" << out;
    EXPECT_TRUE(process_alive(*pid)) << node;
  }
  EXPECT_LT(out.find("head accepts workers on 127.0.0.1:"), out.find("worker1 (worker, pid")) << out;
  EXPECT_EQ(out.find("refused"), std::string::npos) << "the launcher waits for the head without a connection "
                                                       "the head would take for a failed peer:\n" << out;
  // The head answers where the launcher says it listens, with the credentials it made, and
  // lists both workers as joined (start_cluster waited for that).
  EXPECT_EQ(launcher.nodes_of_head(keys_of(launcher)), all_nodes) << out;
  // A job enqueued there runs on a worker.
  auto port = launcher.inject_port();
  ASSERT_TRUE(port) << out;
  const auto node = "127.0.0.1:" + std::to_string(*port);
  auto enqueued = run_inject(dir_, {"--node", node, "--keys", keys_of(launcher), "enqueue", "demo.noop"});
  ASSERT_TRUE(enqueued.status.exited_with(0)) << enqueued.err;
  const auto id = std::to_string(*json_line(enqueued.out).get_int("id"));
  EXPECT_TRUE(eventually([&] {
    auto got = run_inject(dir_, {"--node", node, "--keys", keys_of(launcher), "get", id});
    return got.out.find("\"succeeded\"") != std::string::npos;
  }, 30s, 200ms)) << launcher.output();
  // Each node's output reaches the launcher's, prefixed with its name.
  EXPECT_TRUE(launcher.wait_for_output("[worker2] ", 20s)) << out;
  EXPECT_TRUE(launcher.wait_for_output("[head] ", 20s)) << out;
}

TEST_F(ClusterLauncher, restarts_a_worker_killed_with_sigkill) {
  auto launcher = start_cluster();
  auto first = launcher.pid_of("worker1");
  ASSERT_TRUE(first) << launcher.output();
  ASSERT_EQ(::kill(*first, SIGKILL), 0);
  ASSERT_TRUE(launcher.wait_for_output("worker1 ended unexpectedly: killed by signal 9", 20s)) << launcher.output();
  ASSERT_TRUE(launcher.wait_for_output("worker1 (worker, pid", 20s, 2)) << launcher.output();
  auto second = launcher.pid_of("worker1");
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  EXPECT_TRUE(process_alive(*second));
  // It is back: up, and joined to the head again.
  EXPECT_TRUE(launcher.wait_for_output("node worker1 up: worker of the head", 60s, 2)) << launcher.output();
  EXPECT_TRUE(launcher.wait_for_nodes(all_nodes, keys_of(launcher), 60s)) << launcher.output();
  EXPECT_TRUE(process_alive(*launcher.pid_of("worker2"))) << "the other nodes kept running";
  EXPECT_TRUE(process_alive(*launcher.pid_of("head")));
}

TEST_F(ClusterLauncher, restarts_a_head_killed_with_sigkill_on_its_ports_and_the_workers_join_it_again) {
  auto launcher = start_cluster();
  const auto port = launcher.inject_port();
  ASSERT_EQ(::kill(*launcher.pid_of("head"), SIGKILL), 0);
  ASSERT_TRUE(launcher.wait_for_output("head ended unexpectedly: killed by signal 9", 20s)) << launcher.output();
  ASSERT_TRUE(launcher.wait_for_output("head (head, pid", 20s, 2)) << launcher.output();
  EXPECT_EQ(launcher.inject_port(), port);
  EXPECT_TRUE(launcher.wait_for_nodes(all_nodes, keys_of(launcher), 60s)) << launcher.output();
  EXPECT_EQ(count_of(launcher.output(), "worker1 (worker, pid"), 1) << "the workers kept running";
}

TEST_F(ClusterLauncher, gives_a_node_up_past_its_restart_budget_and_keeps_the_others) {
  auto launcher = start_cluster({"--max-restarts", "1"});
  ASSERT_EQ(::kill(*launcher.pid_of("worker1"), SIGKILL), 0);
  ASSERT_TRUE(launcher.wait_for_output("worker1 (worker, pid", 20s, 2)) << launcher.output();
  ASSERT_EQ(::kill(*launcher.pid_of("worker1"), SIGKILL), 0);
  ASSERT_TRUE(launcher.wait_for_output("worker1 ended: killed by signal 9 (Killed); giving up on it after 1 restarts", 20s))
    << launcher.output();
  EXPECT_TRUE(launcher.process().running()) << launcher.output();
  EXPECT_TRUE(process_alive(*launcher.pid_of("worker2")));
  EXPECT_TRUE(process_alive(*launcher.pid_of("head")));
  launcher.process().signal(SIGTERM);
  auto status = launcher.process().wait_for(60s);
  ASSERT_TRUE(status) << launcher.output();
  EXPECT_TRUE(status->exited_with(1)) << "a node was given up: " << status->to_string();
}

TEST_F(ClusterLauncher, stops_with_exit_1_when_the_head_never_comes_up) {
  // /bin/false stands for a head that fails at once, every time.
  auto r = run_launcher(dir_, {"--bin", "/bin/false", "--max-restarts", "1", "--dir", dir_.file("run")});
  EXPECT_TRUE(r.status.exited_with(1)) << r.status.to_string() << "\n" << r.out << r.err;
  EXPECT_EQ(count_of(r.out, "head (head, pid"), 2) << "started, then restarted once:\n" << r.out;
  EXPECT_NE(r.out.find("head ended unexpectedly: exit 1; restarting it in 250 ms (restart 1 of at most 1 a minute)"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("head ended: exit 1; giving up on it after 1 restarts within a minute, and the launcher "
                       "stops: the workers were waiting for it"),
            std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("worker1"), std::string::npos) << "no worker starts without its head:\n" << r.out;
}

TEST_F(ClusterLauncher, sigterm_or_ctrl_c_stops_the_workers_then_the_head_each_with_exit_0_and_exits_0) {
  for (int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    auto launcher = start_cluster();
    std::vector<pid_t> pids;
    for (const char* node : {"head", "worker1", "worker2"})
      pids.push_back(*launcher.pid_of(node));
    launcher.process().signal(sig);
    auto status = launcher.process().wait_for(60s);
    ASSERT_TRUE(status) << "still running:\n" << launcher.output();
    const auto out = launcher.output();
    EXPECT_TRUE(status->exited_with(0)) << status->to_string() << "\n" << out;
    for (const char* node : {"head", "worker1", "worker2"})
      EXPECT_NE(out.find(std::string{"meshjobs-cluster: "} + node + " stopped: exit 0"), std::string::npos) << out;
    EXPECT_LT(out.find("worker1 stopped"), out.find("head stopped")) << out;
    EXPECT_LT(out.find("worker2 stopped"), out.find("head stopped")) << out;
    EXPECT_NE(out.find("every node stopped cleanly"), std::string::npos) << out;
    for (auto pid : pids)
      EXPECT_FALSE(process_alive(pid)) << "pid " << pid;
  }
}

TEST_F(ClusterLauncher, kills_a_worker_still_stopping_when_its_grace_is_over_and_exits_1) {
  auto launcher = start_cluster({}, 1);
  ASSERT_TRUE(run_a_job_that_hangs(launcher)) << launcher.output();
  launcher.process().signal(SIGTERM);
  auto status = launcher.process().wait_for(60s);
  ASSERT_TRUE(status) << "still running:\n" << launcher.output();
  const auto out = launcher.output();
  EXPECT_TRUE(status->exited_with(1)) << status->to_string() << "\n" << out;
  EXPECT_NE(out.find("the grace is over: killing the workers"), std::string::npos) << out;
  EXPECT_EQ(count_of(out, " stopped: killed by signal 9 (Killed)"), 1) << "the worker running the job:\n" << out;
  EXPECT_NE(out.find("head stopped: exit 0"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped, not every node cleanly"), std::string::npos) << out;
}

TEST_F(ClusterLauncher, a_second_ctrl_c_kills_every_node_at_once) {
  auto launcher = start_cluster();
  ASSERT_TRUE(run_a_job_that_hangs(launcher)) << launcher.output();
  launcher.process().signal(SIGINT);
  ASSERT_TRUE(launcher.wait_for_output("SIGINT received: stopping the workers", 20s)) << launcher.output();
  launcher.process().signal(SIGINT);
  auto status = launcher.process().wait_for(10s);
  ASSERT_TRUE(status) << "the second Ctrl-C did not end it within 10 s of a 20 s grace:\n" << launcher.output();
  const auto out = launcher.output();
  EXPECT_TRUE(status->exited_with(1)) << status->to_string() << "\n" << out;
  EXPECT_NE(out.find("SIGINT again: killing every node now"), std::string::npos) << out;
  EXPECT_NE(out.find(" stopped: killed by signal 9 (Killed)"), std::string::npos) << out;
}

TEST_F(ClusterLauncher, nodes_stop_when_the_launcher_is_killed_with_sigkill) {
  auto launcher = start_cluster();
  std::vector<pid_t> pids;
  for (const char* node : {"head", "worker1", "worker2"})
    pids.push_back(*launcher.pid_of(node));
  launcher.process().kill();
  for (auto pid : pids)
    EXPECT_TRUE(eventually([pid] { return !process_alive(pid); }, 60s)) << "pid " << pid << " outlived its launcher";
}

TEST_F(ClusterLauncher, starts_the_local_nodes_of_a_cluster_file_on_its_ports) {
  const auto ports = std::vector<std::uint16_t>{free_loopback_port(), free_loopback_port()};
  ASSERT_NE(ports[0], ports[1]);
  auto file = dir_.file("cluster.yml");
  write_file(file, "nodes:\n"
                   "  - {name: boss, role: head, host: 127.0.0.1, cluster_port: " + std::to_string(ports[0]) +
                   ", inject_port: " + std::to_string(ports[1]) + ", keys: keys, config: node.yml}\n"
                   "  - {name: w1, role: worker, host: localhost, config: node.yml}\n");
  node_config();
  launcher_process launcher{dir_, {"--file", file}};
  ASSERT_TRUE(launcher.wait_for_output("w1 (worker, pid", 60s)) << launcher.output();
  EXPECT_NE(launcher.output().find("workers join 127.0.0.1:" + std::to_string(ports[0])), std::string::npos);
  EXPECT_NE(launcher.output().find("joins 127.0.0.1:" + std::to_string(ports[0])), std::string::npos);
  EXPECT_EQ(launcher.inject_port(), ports[1]);
  EXPECT_TRUE(launcher.wait_for_nodes({"boss", "w1"}, dir_.file("keys"), 60s)) << launcher.output();
  launcher.process().signal(SIGTERM);
  auto status = launcher.process().wait_for(60s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited_with(0)) << status->to_string() << "\n" << launcher.output();
}

TEST_F(ClusterLauncher, prints_the_command_of_each_node_on_another_host) {
  auto file = dir_.file("cluster.yml");
  write_file(file, "nodes:\n"
                   "  - {name: head, role: head, host: 10.0.0.5, cluster_port: 4200, inject_port: 4100,\n"
                   "     keys: /etc/meshjobs/keys}\n"
                   "  - {name: w1, role: worker, host: 10.0.0.6, config: \"/etc/meshjobs/my worker.yml\",\n"
                   "     run_kinds: \"demo.*,mesh.generation\"}\n");
  // No meshjobs is needed here to print what runs elsewhere.
  auto r = run_launcher(dir_, {"--file", file, "--bin", dir_.file("no-such-meshjobs")});
  EXPECT_TRUE(r.status.exited_with(0)) << r.status.to_string() << "\n" << r.err;
  EXPECT_NE(r.out.find("on 10.0.0.5, run head (head): meshjobs --role head --name head --cluster-port 4200 "
                       "--inject-port 4100 --keys /etc/meshjobs/keys\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("on 10.0.0.6, run w1 (worker): meshjobs --role worker --name w1 --join 10.0.0.5:4200 "
                       "--config '/etc/meshjobs/my worker.yml' --run-kinds 'demo.*,mesh.generation'\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no node of this cluster runs on this machine"), std::string::npos) << r.out;
}

TEST_F(ClusterLauncher, check_accepts_a_good_cluster_file) {
  auto file = dir_.file("cluster.yml");
  write_file(dir_.file("node.yml"), node_config_yaml(node_settings{}));
  test_keys_dir(dir_);
  write_file(file, "nodes:\n"
                   "  - {name: head, role: head, host: 127.0.0.1, cluster_port: 4200, inject_port: 4100, config: node.yml}\n"
                   "  - {name: w1, role: worker, host: 127.0.0.1, keys: keys}\n"
                   "  - {name: w2, role: worker, host: 127.0.0.1, keys: not-made-yet}\n");
  auto r = run_launcher(dir_, {"--file", file, "--check"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.status.to_string() << "\n" << r.err;
  EXPECT_EQ(r.out, "cluster file ok: " + file + "\n");
  EXPECT_FALSE(std::filesystem::exists(dir_.file("cluster-run"))) << "--check starts nothing";
}

TEST_F(ClusterLauncher, check_names_every_error_of_a_bad_cluster_file_with_its_key_path) {
  write_file(dir_.file("bad-node.yml"), "concurrency: 0\n");
  const auto errors = check_errors("nodes:\n"
                                   "  - {name: head, role: head, host: 127.0.0.1, cluster_port: 70000}\n"
                                   "  - {name: \"w 1\", role: boss, host: 127.0.0.1}\n"
                                   "  - {name: w2, role: worker, host: 127.0.0.1, inject_port: 4000, colour: blue}\n"
                                   "  - {name: w3, rol: worker, host: 127.0.0.1, config: bad-node.yml}\n"
                                   "  - just a string\n");
  const std::vector<std::string> expected{
    "cluster file: nodes[0].cluster_port: must be from 1 to 65535 (got 70000)",
    "cluster file: nodes[0].inject_port: required for the head: a port from 1 to 65535",
    "cluster file: nodes[1].name: must be letters, digits, '.', '_' or '-', at most 64 characters (got \"w 1\")",
    "cluster file: nodes[1].role: must be one of head, worker (got \"boss\")",
    "cluster file: nodes[2].colour: unknown key (expected one of name, role, host, cluster_port, inject_port, keys, "
    "config, run_kinds)",
    "cluster file: nodes[2].inject_port: only the head listens; a worker joins the head's cluster_port",
    "cluster file: nodes[3].rol: unknown key (did you mean \"role\"?)",
    "cluster file: nodes[3].role: required: head or worker",
    "cluster file: nodes[3].config: " + dir_.file("bad-node.yml") + ": concurrency: must be from 1 to 10000 (got 0)",
    "cluster file: nodes[4]: expected a map, found the string \"just a string\"",
  };
  EXPECT_EQ(errors, expected);
}

TEST_F(ClusterLauncher, check_names_a_local_node_whose_key_others_can_read) {
  const auto keys = test_keys_dir(dir_);
  std::filesystem::permissions(keys + "/node.key", std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  const auto errors = check_errors("nodes:\n"
                                   "  - {name: head, role: head, host: 127.0.0.1, cluster_port: 4200, inject_port: 4100}\n"
                                   "  - {name: w1, role: worker, host: 127.0.0.1, keys: keys}\n");
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind("cluster file: nodes[1].keys: ", 0), 0u) << errors[0];
  EXPECT_NE(errors[0].find(keys + "/node.key: readable by others (mode 0604); chmod 600 it"), std::string::npos)
    << errors[0];
}

TEST_F(ClusterLauncher, check_names_what_ties_the_nodes_together) {
  const auto errors = check_errors("nodes:\n"
                                   "  - {name: a, role: worker, host: 127.0.0.1}\n"
                                   "  - {name: a, role: head, host: 127.0.0.1, cluster_port: 4200, inject_port: 4200}\n"
                                   "  - {name: b, role: head, host: ::1, cluster_port: 4300, inject_port: 4301}\n"
                                   "  - {name: c, role: worker, host: 10.1.1.1}\n");
  const std::vector<std::string> expected{
    "cluster file: nodes[1].inject_port: must differ from cluster_port (both 4200)",
    "cluster file: nodes[1].name: \"a\" is taken by nodes[0]; names are unique",
    "cluster file: nodes[2].role: a second head (nodes[1] is the head); a cluster has one",
    "cluster file: nodes[3].host: a node on 10.1.1.1 cannot reach the head on loopback (nodes[1].host is "
    "127.0.0.1); give the head an address the other hosts can reach",
  };
  EXPECT_EQ(errors, expected);
}

TEST_F(ClusterLauncher, check_names_a_file_that_is_missing_not_yaml_or_headless) {
  write_file(dir_.file("broken.yml"), "nodes: [\n");
  write_file(dir_.file("headless.yml"), "nodes:\n  - {name: w1, role: worker, host: 127.0.0.1}\n");
  write_file(dir_.file("empty.yml"), "");
  const std::vector<std::pair<std::string, std::string>> cases{
    {dir_.file("missing.yml"), "cluster file: " + dir_.file("missing.yml") + ": cannot read: No such file or directory"},
    {dir_.file("broken.yml"), "cluster file: " + dir_.file("broken.yml") + ": invalid YAML at line 2, column 1: "},
    {dir_.file("headless.yml"), "cluster file: nodes: no head: one node needs role: head"},
    {dir_.file("empty.yml"), "cluster file: nodes: required: the list of nodes, one of them the head"},
  };
  for (const auto& [file, error] : cases) {
    auto r = run_launcher(dir_, {"--file", file, "--check"});
    EXPECT_TRUE(r.status.exited_with(2)) << file << ": " << r.status.to_string();
    EXPECT_EQ(r.err.rfind(error, 0), 0u) << file << ":\n" << r.err;
  }
}

TEST_F(ClusterLauncher, refuses_bad_arguments_with_exit_2_naming_them_and_starts_nothing) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
    {{"--workers", "-1"}, "--workers: Value -1 not in range 0 to 64"},
    {{"--workers", "many"}, "--workers"},
    {{"--check"}, "--check requires --file"},
    {{"--file", "c.yml", "--workers", "2"}, "--workers excludes --file"},
    {{"--max-restarts", "-3"}, "--max-restarts"},
    {{"--grace", "0"}, "--grace"},
    {{"--colour"}, "--colour"},
    {{"--bin", dir_.file("no-such-meshjobs")}, "--bin " + dir_.file("no-such-meshjobs") + ": not an executable file"},
  };
  for (const auto& [args, named] : cases) {
    auto all = args;
    all.insert(all.end(), {"--dir", dir_.file("run")});
    auto r = run_launcher(dir_, all);
    EXPECT_TRUE(r.status.exited_with(2)) << args[0] << ": " << r.status.to_string();
    EXPECT_EQ(r.err.rfind("meshjobs-cluster: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << "expected " << named << " in:\n" << r.err;
    EXPECT_EQ(r.out, "") << args[0];
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.file("run"))) << "nothing was started";
}

TEST_F(ClusterLauncher, help_gives_an_example_for_every_option) {
  auto r = run_launcher(dir_, {"--help"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.status.to_string();
  for (const char* option : {"--workers", "--file", "--check", "--config", "--keys", "--bin", "--dir",
                             "--max-restarts", "--grace"}) {
    // CLI11 prints an option's name, then its description (with the example) on the next line.
    const auto at = r.out.find(std::string{"\n  "} + option + " ");
    ASSERT_NE(at, std::string::npos) << option << " is not in:\n" << r.out;
    const auto description_end = r.out.find('\n', r.out.find('\n', at + 1) + 1);
    EXPECT_NE(r.out.substr(at, description_end - at).find("e.g. "), std::string::npos)
      << option << " has no example:\n" << r.out;
  }
  EXPECT_NE(r.out.find("Examples:\n  meshjobs-cluster --workers 2"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace meshjobs::testing
