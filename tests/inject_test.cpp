// meshjobs-inject's contract: usage errors (exit 2) are caught before anything is sent and
// name the input; no answer is exit 3 naming the node; answers are JSON lines; what the
// options say reaches the node.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

struct usage_case {
  std::vector<std::string> args;
  std::string named;  ///< the error names this
};

void PrintTo(const usage_case& c, std::ostream* os) {
  for (const auto& arg : c.args)
    *os << arg << ' ';
}

class InjectUsage : public ::testing::TestWithParam<usage_case> {
 protected:
  temp_dir dir_;
};

TEST_P(InjectUsage, is_exit_2_with_one_json_error_line_naming_the_input) {
  std::vector<std::string> args{"--node", "127.0.0.1:" + std::to_string(free_loopback_port())};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  auto r = run_inject(dir_, args);
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string() << "\n" << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  auto lines = split_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  auto error = json_line(lines[0]).get_string("error").value_or("");
  EXPECT_NE(error.find(GetParam().named), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
  Inject, InjectUsage,
  ::testing::Values(
    usage_case{{"enqueue", "demo.noop", "--args", "{\"a\":"}, "--args"},
    usage_case{{"send", "frobnicate", "{}"}, "send: \"frobnicate\" is not a message type"},
    usage_case{{"send", "get", "{\"id\":"}, "send get"},
    usage_case{{"send", "get", "{\"job\":4}"}, "member \"job\" is not one of its arguments"},
    usage_case{{"send", "get", "{}"}, "member \"id\" is required"},
    usage_case{{"send", "get", "{\"id\":-4}"}, "id: \"-4\" is not a job id"},
    usage_case{{"send", "enqueue", "{\"args\":{}}"}, "member \"kind\" is required"},
    usage_case{{"send", "enqueue", "{\"kind\":\"demo.noop\",\"in\":\"5x\"}"}, "--in: \"5x\""},
    usage_case{{"send", "stats", "{\"verbose\":true}"}, "(it takes none)"},
    usage_case{{"send", "list", "{\"limit\":0}"}, "send list: limit"},
    usage_case{{"enqueue", "demo.noop", "--args", "[1,2]"}, "--args"},
    usage_case{{"enqueue", "demo.noop", "--in", "5x"}, "--in: \"5x\" is not a duration"},
    usage_case{{"enqueue", "demo.noop", "--in", "-5s"}, "--in"},
    usage_case{{"enqueue", "demo.noop", "--at", "tomorrow"}, "--at: \"tomorrow\" is not a time"},
    usage_case{{"enqueue", "demo.noop", "--at", "2026-02-30T10:00:00Z"}, "--at: \"2026-02-30T10:00:00Z\""},
    usage_case{{"enqueue", "demo.noop", "--at", "2026-11-29T10:00:00"}, "--at"},
    usage_case{{"enqueue", "demo.noop", "--in", "5s", "--at", "1900000000"}, "--in"},
    usage_case{{"enqueue", "demo.noop", "--expires-in", "soon"}, "--expires-in"},
    usage_case{{"enqueue", "demo.noop", "--unique-mode", "forever"}, "--unique-mode: \"forever\""},
    usage_case{{"enqueue", "demo.noop", "--priority", "high"}, "--priority"},
    usage_case{{"enqueue"}, "kind"},
    usage_case{{"jobs", "--state", "sleeping"}, "--state: \"sleeping\""},
    usage_case{{"list", "--before", "-1"}, "--before: id: \"-1\""},
    usage_case{{"list", "--before", "0"}, "--before: id: \"0\""},
    usage_case{{"list", "--limit", "1001"}, "--limit"},
    usage_case{{"list", "--queue", ""}, "--queue: empty"},
    usage_case{{"list", "--kind", ""}, "--kind: empty"},
    usage_case{{"get", "seven"}, "id"},
    usage_case{{"signal", "7", "[1]"}, "signal payload"},
    usage_case{{"signal", "7"}, "payload"},
    usage_case{{"--timeout", "0s", "stats"}, "--timeout"},
    usage_case{{"frobnicate"}, "unknown command \"frobnicate\""},
    usage_case{{}, "subcommand"},
    // values that used to overflow or wrap to another value
    usage_case{{"enqueue", "demo.noop", "--in", "106751991d"}, "--in: \"106751991d\" is longer than 100 years"},
    usage_case{{"enqueue", "demo.noop", "--expires-in", "106751991d"}, "--expires-in: \"106751991d\" is longer"},
    usage_case{{"enqueue", "demo.noop", "--at", "99999999999"}, "--at: \"99999999999\" is more than 100 years"},
    usage_case{{"enqueue", "demo.noop", "--at", "9999-01-01T00:00:00Z"}, "--at: \"9999-01-01T00:00:00Z\""},
    usage_case{{"--timeout", "106751991d", "stats"}, "--timeout: \"106751991d\" is longer than"},
    usage_case{{"--timeout", "25h", "stats"}, "--timeout: \"25h\" is longer than 24h"},
    usage_case{{"enqueue", "demo.noop", "--priority", ""}, "--priority: empty"},
    usage_case{{"enqueue", "demo.noop", "--priority", "2147483648"}, "--priority: \"2147483648\""},
    usage_case{{"enqueue", "demo.noop", "--in", ""}, "--in: empty"},
    usage_case{{"enqueue", "demo.noop", "--queue", ""}, "--queue: empty"},
    usage_case{{"enqueue", "demo.noop", "--args", ""}, "--args: empty"},
    usage_case{{"get", "-1"}, "id: \"-1\" is not a job id"},
    usage_case{{"get", ""}, "id: \"\" is not a job id"},
    usage_case{{"get", "0"}, "id: \"0\" is not a job id"},
    usage_case{{"get", "+5"}, "id: \"+5\" is not a job id"},
    usage_case{{"get", "18446744073709551616"}, "id: \"18446744073709551616\" is larger than any job id"},
    usage_case{{"cancel", "-7"}, "id: \"-7\" is not a job id"},
    usage_case{{"batch", "x"}, "id: \"x\" is not a job id"},
    usage_case{{"batch"}, "id"},
    usage_case{{"retry", "-7"}, "id: \"-7\" is not a job id"},
    usage_case{{"pause", ""}, "queue: empty"},
    usage_case{{"resume"}, "queue"},
    usage_case{{"enqueue", "demo.noop", "--args-file", "/nonexistent/args.json"}, "--args-file: cannot read"},
    usage_case{{"enqueue", "demo.noop", "--args", "{}", "--args-file", "/dev/null"}, "--args"},
    usage_case{{"enqueue", "demo.noop", "--idempotency-key", std::string(201, 'k')}, "--idempotency-key: 201 bytes"}));

class InjectCli : public ::testing::Test {
 protected:
  temp_dir dir_;
};

TEST_F(InjectCli, node_address_must_be_host_and_port) {
  for (const char* bad : {"localhost", "127.0.0.1:", ":4100", "127.0.0.1:70000", "127.0.0.1:http"}) {
    auto r = run_inject(dir_, {"--node", bad, "stats"});
    EXPECT_TRUE(r.status.exited_with(2)) << bad << ": " << r.status.to_string();
    EXPECT_NE(r.err.find("--node"), std::string::npos) << r.err;
  }
  auto r = run_inject(dir_, {"stats"});
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string();
  EXPECT_NE(r.err.find("--node"), std::string::npos) << r.err;
}

TEST_F(InjectCli, help_prints_the_commands_and_exits_0) {
  auto r = run_inject(dir_, {"--help"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.status.to_string();
  for (const char* command : {"enqueue", "stats", "list", "get", "cancel", "retry", "pause", "resume", "--node"})
    EXPECT_NE(r.out.find(command), std::string::npos) << command << "\n" << r.out;
}

TEST_F(InjectCli, each_new_command_has_help_with_an_example) {
  for (const char* command : {"enqueue", "stats", "list", "get", "cancel", "retry", "pause", "resume", "events",
                              "signal", "batch", "nodes", "send"}) {
    auto r = run_inject(dir_, {command, "--help"});
    EXPECT_TRUE(r.status.exited_with(0)) << command << ": " << r.status.to_string();
    EXPECT_NE(r.out.find(std::string{"Example: meshjobs-inject --node 127.0.0.1:4100 "} + command), std::string::npos)
      << r.out;
  }
}

TEST_F(InjectCli, a_file_larger_than_the_args_bound_is_a_usage_error) {
  auto path = dir_.file("huge.json");
  write_file(path, "{\"blob\":\"" + std::string(16 * 1024 * 1024, 'x') + "\"}");
  auto r = run_inject(dir_, {"--node", "127.0.0.1:1", "enqueue", "demo.noop", "--args-file", path});
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string();
  EXPECT_NE(r.err.find("more than 16 MiB"), std::string::npos) << r.err;
}

/// A loopback listener that accepts connections into its backlog and never says a word.
class silent_listener {
 public:
  silent_listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("silent_listener: cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
  }
  ~silent_listener() { close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST_F(InjectCli, a_peer_that_never_answers_is_exit_3_within_the_timeout) {
  silent_listener peer;
  auto address = "127.0.0.1:" + std::to_string(peer.port());
  auto started = std::chrono::steady_clock::now();
  auto r = run_inject(dir_, {"--node", address, "--keys", test_keys_dir(dir_), "--timeout", "500ms", "stats"});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(r.status.exited_with(3)) << r.status.to_string() << "\n" << r.err;
  auto error = json_line(r.err).get_string("error").value_or("");
  EXPECT_NE(error.find(address), std::string::npos) << error;
  EXPECT_NE(error.find("within 500ms"), std::string::npos) << error;
  EXPECT_LT(took, 5s);
}

TEST_F(InjectCli, a_stalled_handshake_waits_out_the_whole_timeout) {
  silent_listener peer;
  auto address = "127.0.0.1:" + std::to_string(peer.port());
  auto started = std::chrono::steady_clock::now();
  // CAF 0.17's middleman leaks its BASP broker when it is torn down with a connect still
  // pending (seen once under load: LeakSanitizer then made the exit code 1): the exit code is
  // what this test checks, so the leak scan is off for this one process.
  auto r = run_inject(dir_, {"--node", address, "--keys", test_keys_dir(dir_), "--timeout", "3s", "stats"}, 20s,
                      {asan_options_without_leak_check()});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(r.status.exited_with(3)) << r.status.to_string() << "\n" << r.err;
  EXPECT_NE(r.err.find("no handshake within 3s"), std::string::npos) << r.err;
  EXPECT_GE(took, 2900ms) << "gave up before --timeout";
}

/// One node for the tests that need an answer; each test uses its own jobs.
class InjectAgainstNode : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<temp_dir>();
    node_settings s;
    s.inject_port = free_loopback_port();
    s.queues = {"default", "low"};
    node_ = std::make_unique<node_process>(*dir_, s);
    ready_ = node_->wait_ready();
  }
  static void TearDownTestSuite() {
    node_.reset();
    dir_.reset();
  }
  void SetUp() override { ASSERT_TRUE(ready_) << node_->log(); }

  static json::object get(std::int64_t id) {
    auto r = node_->inject({"get", std::to_string(id)});
    if (!r.status.exited_with(0))
      throw std::runtime_error("get " + std::to_string(id) + ": " + r.err);
    return json_line(r.out);
  }

  static std::int64_t now_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }

  static std::unique_ptr<temp_dir> dir_;
  static std::unique_ptr<node_process> node_;
  static bool ready_;
};

std::unique_ptr<temp_dir> InjectAgainstNode::dir_;
std::unique_ptr<node_process> InjectAgainstNode::node_;
bool InjectAgainstNode::ready_ = false;

TEST_F(InjectAgainstNode, enqueue_prints_the_id_and_status_as_one_json_line) {
  auto r = node_->inject({"enqueue", "demo.noop", "--args", "{}"});
  ASSERT_TRUE(r.status.exited_with(0)) << r.err;
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  auto answer = json_line(lines[0]);
  EXPECT_GT(answer.get_int("id").value_or(0), 0);
  EXPECT_EQ(answer.get_string("status"), "enqueued");
  EXPECT_EQ(answer.keys().size(), 2u);
}

TEST_F(InjectAgainstNode, enqueue_at_an_iso_time_or_epoch_seconds_schedules_for_that_second) {
  constexpr std::int64_t at_s = 4102444800;  // 2100-01-01T00:00:00Z
  for (const char* at : {"2100-01-01T00:00:00Z", "4102444800"}) {
    auto r = node_->inject({"enqueue", "demo.noop", "--at", at});
    ASSERT_TRUE(r.status.exited_with(0)) << at << ": " << r.err;
    auto answer = json_line(r.out);
    EXPECT_EQ(answer.get_string("status"), "scheduled");
    EXPECT_EQ(get(*answer.get_int("id")).get_int("run_at"), at_s * 1000000) << at;
  }
  auto r = node_->inject({"enqueue", "demo.noop", "--at", "2100-01-01T00:00:00.250Z"});
  ASSERT_TRUE(r.status.exited_with(0)) << r.err;
  EXPECT_EQ(get(*json_line(r.out).get_int("id")).get_int("run_at"), at_s * 1000000 + 250000);
}

TEST_F(InjectAgainstNode, enqueue_in_a_duration_schedules_that_far_ahead) {
  auto before = now_us();
  auto id = node_->enqueue("demo.noop", "{}", {"--in", "2h"});
  auto after = now_us();
  auto run_at = get(id).get_int("run_at").value_or(0);
  EXPECT_GE(run_at, before + 7200LL * 1000000);
  EXPECT_LE(run_at, after + 7200LL * 1000000);
  EXPECT_EQ(get(id).get_string("state"), "scheduled");
}

TEST_F(InjectAgainstNode, queue_priority_and_expiry_reach_the_node) {
  auto before = now_us();
  auto id = node_->enqueue("demo.noop", R"({"n":1})", {"--queue", "low", "--priority", "7", "--in", "1h",
                                                      "--expires-in", "5m"});
  auto j = get(id);
  EXPECT_EQ(j.get_string("queue"), "low");
  EXPECT_EQ(j.get_int("priority"), 7);
  EXPECT_EQ(j.get_raw("args"), R"({"n":1})");
  EXPECT_GE(j.get_int("expires_at").value_or(0), before + 300LL * 1000000);
  EXPECT_LE(j.get_int("expires_at").value_or(0), now_us() + 300LL * 1000000);
}

TEST_F(InjectAgainstNode, unique_reports_the_pending_duplicate_or_refuses_it) {
  std::vector<std::string> opts{"--in", "1h", "--unique"};
  auto first = node_->enqueue("demo.noop", R"({"unique":"yes"})", opts);
  auto again = node_->inject({"enqueue", "demo.noop", "--args", R"({"unique":"yes"})", "--in", "1h", "--unique"});
  ASSERT_TRUE(again.status.exited_with(0)) << again.err;
  auto answer = json_line(again.out);
  EXPECT_EQ(answer.get_int("id"), first);
  EXPECT_EQ(answer.get_string("status"), "duplicate");
  auto refused = node_->inject({"enqueue", "demo.noop", "--args", R"({"unique":"yes"})", "--in", "1h",
                                "--unique", "--on-conflict", "reject"});
  EXPECT_TRUE(refused.status.exited_with(1)) << refused.status.to_string();
  EXPECT_NE(refused.err.find("unique"), std::string::npos) << refused.err;
}

TEST_F(InjectAgainstNode, stats_is_one_object_with_counts_queues_types_and_workers) {
  auto r = node_->inject({"stats"});
  ASSERT_TRUE(r.status.exited_with(0)) << r.err;
  ASSERT_EQ(split_lines(r.out).size(), 1u) << r.out;
  auto s = json_line(r.out);
  for (const char* key : {"enqueued", "scheduled", "retrying", "running", "dead", "processed", "failed"})
    EXPECT_TRUE(s.get_int(key).has_value()) << key;
  auto queues = s.get_raw("queues").value_or("");
  EXPECT_NE(queues.find(R"("name":"default")"), std::string::npos) << queues;
  EXPECT_NE(queues.find(R"("name":"low")"), std::string::npos) << queues;
  EXPECT_NE(s.get_raw("types").value_or("").find(R"("kind":"demo.record")"), std::string::npos);
  // Each of the node's supervisors registered as a worker of its one kind.
  EXPECT_NE(s.get_raw("workers").value_or("").find(R"("kinds":["demo.record"])"), std::string::npos)
    << s.get_raw("workers").value_or("");
}

TEST_F(InjectAgainstNode, get_and_cancel_of_an_unknown_id_are_exit_1) {
  for (const char* command : {"get", "cancel"}) {
    auto r = node_->inject({command, "999999"});
    EXPECT_TRUE(r.status.exited_with(1)) << command << ": " << r.status.to_string();
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(json_line(r.err).get_string("error").value_or("").find("999999"), std::string::npos) << r.err;
  }
}

TEST_F(InjectAgainstNode, batch_prints_the_batch_with_each_image_s_status) {
  auto id = node_->enqueue("mesh.batch_generation", R"({"project":"p","user":"u","images":["/nonexistent/a.png"]})");
  ASSERT_TRUE(eventually([&] { return get(id).get_string("state") == "succeeded"; }, 20s)) << node_->log();
  auto r = node_->inject({"batch", std::to_string(id)});
  ASSERT_TRUE(r.status.exited_with(0)) << r.status.to_string() << r.err;
  auto batch = json_line(r.out);
  EXPECT_EQ(batch.get_int("id"), id);
  EXPECT_EQ(batch.get_string("status"), "completed");
  EXPECT_EQ(batch.get_int("total"), 1);
  EXPECT_EQ(batch.get_int("failed"), 1) << "its one image does not exist";
  EXPECT_NE(r.out.find(R"("image_url":"/nonexistent/a.png")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("status":"failed")"), std::string::npos) << r.out;

  auto missing = node_->inject({"batch", "999999"});
  EXPECT_TRUE(missing.status.exited_with(1)) << missing.status.to_string();
  EXPECT_TRUE(missing.out.empty()) << missing.out;
  EXPECT_NE(missing.err.find("no batch 999999"), std::string::npos) << missing.err;
}

TEST_F(InjectAgainstNode, cancel_of_a_finished_job_is_exit_1) {
  auto id = node_->enqueue("demo.noop", "{}");
  ASSERT_TRUE(eventually([&] { return get(id).get_string("state") == "succeeded"; }, 10s));
  auto r = node_->inject({"cancel", std::to_string(id)});
  EXPECT_TRUE(r.status.exited_with(1)) << r.status.to_string();
  EXPECT_NE(r.err.find("already finished"), std::string::npos) << r.err;
}

TEST_F(InjectAgainstNode, jobs_prints_one_json_line_per_job) {
  auto a = node_->enqueue("demo.noop", R"({"list":1})", {"--in", "1h", "--queue", "low"});
  auto b = node_->enqueue("demo.noop", R"({"list":2})", {"--in", "1h", "--queue", "low"});
  auto r = node_->inject({"jobs", "--state", "scheduled"});
  ASSERT_TRUE(r.status.exited_with(0)) << r.err;
  std::vector<std::int64_t> ids;
  for (const auto& line : split_lines(r.out))
    ids.push_back(json_line(line).get_int("id").value_or(0));
  EXPECT_NE(std::find(ids.begin(), ids.end(), a), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), b), ids.end());
  auto limited = node_->inject({"jobs", "--state", "scheduled", "--limit", "1"});
  EXPECT_EQ(split_lines(limited.out).size(), 1u) << limited.out;
}

TEST_F(InjectAgainstNode, list_pages_newest_first_by_queue_and_kind_with_a_cursor) {
  std::vector<std::int64_t> low;
  for (int i = 0; i < 3; ++i)
    low.push_back(node_->enqueue("demo.noop", "{}", {"--in", "1h", "--queue", "low"}));
  node_->enqueue("demo.noop", "{}", {"--in", "1h"});  // another queue
  auto first = node_->inject({"list", "--state", "scheduled", "--queue", "low", "--kind", "demo.noop",
                              "--limit", "2"});
  ASSERT_TRUE(first.status.exited_with(0)) << first.err;
  auto lines = split_lines(first.out);
  ASSERT_EQ(lines.size(), 2u) << first.out;
  EXPECT_EQ(json_line(lines[0]).get_int("id"), low[2]);
  EXPECT_EQ(json_line(lines[1]).get_int("id"), low[1]);
  auto cursor = json_line(first.err).get_raw("next_page");
  EXPECT_EQ(cursor, "{\"before\":" + std::to_string(low[1]) + "}") << first.err;
  // Other tests on this node left older jobs in `low`: the next page starts right below.
  auto second = node_->inject({"list", "--state", "scheduled", "--queue", "low", "--limit", "1",
                               "--before", std::to_string(low[1])});
  ASSERT_TRUE(second.status.exited_with(0)) << second.err;
  ASSERT_EQ(split_lines(second.out).size(), 1u) << second.out;
  EXPECT_EQ(json_line(second.out).get_int("id"), low[0]);
  auto past_the_first = node_->inject({"list", "--before", "1"});
  ASSERT_TRUE(past_the_first.status.exited_with(0)) << past_the_first.err;
  EXPECT_TRUE(past_the_first.out.empty() && past_the_first.err.empty())
    << "nothing below job 1, and no cursor: " << past_the_first.out << past_the_first.err;
}

TEST_F(InjectAgainstNode, args_past_a_command_line_s_limit_come_from_a_file_or_stdin) {
  const std::string args = "{\"blob\":\"" + std::string(200 * 1024, 'a') + "\"}";  // > 128 KiB
  auto path = dir_->file("big-args.json");
  write_file(path, args);
  auto from_file = node_->inject({"enqueue", "demo.noop", "--in", "1h", "--args-file", path});
  ASSERT_TRUE(from_file.status.exited_with(0)) << from_file.err;
  EXPECT_EQ(get(*json_line(from_file.out).get_int("id")).get_raw("args"), args);

  spawn_options opts;
  opts.args = {"--node", node_->address(), "--keys", node_->keys_dir(), "enqueue", "demo.noop", "--in", "1h", "--args", "-"};
  opts.stdin_path = path;
  opts.stdout_path = dir_->file("stdin-args.out");
  opts.stderr_path = dir_->file("stdin-args.err");
  child_process from_stdin{MESHJOBS_INJECT_BIN, opts};
  auto status = from_stdin.wait_for(20s);
  ASSERT_TRUE(status && status->exited_with(0)) << read_file(opts.stderr_path);
  EXPECT_EQ(get(*json_line(read_file(opts.stdout_path)).get_int("id")).get_raw("args"), args);
}

TEST_F(InjectAgainstNode, a_retried_enqueue_with_the_same_idempotency_key_returns_the_first_job) {
  std::vector<std::string> enqueue{"enqueue", "demo.noop", "--in", "1h", "--idempotency-key", "order-42"};
  auto first = node_->inject(enqueue);
  ASSERT_TRUE(first.status.exited_with(0)) << first.err;
  auto again = node_->inject(enqueue);
  ASSERT_TRUE(again.status.exited_with(0)) << again.err;
  EXPECT_EQ(json_line(again.out).get_int("id"), json_line(first.out).get_int("id"));
  EXPECT_EQ(json_line(again.out).get_string("status"), "replayed");
  auto other = node_->inject({"enqueue", "demo.noop", "--in", "1h", "--idempotency-key", "order-43"});
  ASSERT_TRUE(other.status.exited_with(0)) << other.err;
  EXPECT_NE(json_line(other.out).get_int("id"), json_line(first.out).get_int("id"));
  EXPECT_EQ(json_line(other.out).get_string("status"), "scheduled");
}

TEST_F(InjectAgainstNode, retry_moves_a_dead_job_back_and_it_runs_again) {
  auto id = node_->enqueue("demo.fail", "{}");
  ASSERT_TRUE(eventually([&] { return get(id).get_string("state") == "dead"; }, 10s));
  auto died_at = get(id).get_int("finished_at").value_or(0);
  auto r = node_->inject({"retry", std::to_string(id)});
  ASSERT_TRUE(r.status.exited_with(0)) << r.err;
  EXPECT_EQ(json_line(r.out).get_int("id"), id);
  EXPECT_EQ(json_line(r.out).get_string("status"), "enqueued");
  EXPECT_TRUE(eventually(
    [&] {
      auto j = get(id);
      return j.get_string("state") == "dead" && j.get_int("finished_at").value_or(0) > died_at;
    },
    10s))
    << "the retried job did not run to its end again";
}

TEST_F(InjectAgainstNode, retry_of_a_job_that_is_not_dead_is_exit_1) {
  auto id = node_->enqueue("demo.noop", "{}", {"--in", "1h"});
  auto r = node_->inject({"retry", std::to_string(id)});
  EXPECT_TRUE(r.status.exited_with(1)) << r.status.to_string();
  EXPECT_NE(r.err.find("not dead"), std::string::npos) << r.err;
}

TEST_F(InjectAgainstNode, pause_holds_a_queue_s_jobs_and_resume_runs_them) {
  auto paused = node_->inject({"pause", "low"});
  ASSERT_TRUE(paused.status.exited_with(0)) << paused.err;
  EXPECT_EQ(json_line(paused.out).get_string("status"), "paused");
  EXPECT_NE(node_->inject({"stats"}).out.find(R"({"name":"low","weight":1,"limit":0,"paused":true)"),
            std::string::npos);
  auto id = node_->enqueue("demo.noop", R"({"paused":1})", {"--queue", "low"});
  EXPECT_EQ(get(id).get_string("state"), "enqueued");
  auto resumed = node_->inject({"resume", "low"});
  ASSERT_TRUE(resumed.status.exited_with(0)) << resumed.err;
  EXPECT_EQ(json_line(resumed.out).get_string("status"), "resumed");
  EXPECT_TRUE(eventually([&] { return get(id).get_string("state") == "succeeded"; }, 10s));
}

TEST_F(InjectAgainstNode, pause_of_an_unknown_queue_is_exit_1) {
  auto r = node_->inject({"pause", "nowhere"});
  EXPECT_TRUE(r.status.exited_with(1)) << r.status.to_string();
  EXPECT_EQ(json_line(r.err).get_string("error"), "queue \"nowhere\": not in the node's config") << r.err;
}

TEST_F(InjectAgainstNode, signal_reaches_the_running_job_and_says_when_none_runs_it) {
  auto id = node_->enqueue("demo.signal", "{}");
  ASSERT_TRUE(eventually([&] { return get(id).get_string("state") == "running"; }, 10s));
  auto r = node_->inject({"signal", std::to_string(id), R"({"status":"completed"})"});
  ASSERT_TRUE(r.status.exited_with(0)) << r.status.to_string() << "\n" << r.err;
  auto answer = json_line(r.out);
  EXPECT_EQ(answer.get_int("id"), id);
  EXPECT_EQ(answer.get_string("status"), "delivered");
  ASSERT_TRUE(eventually([&] { return get(id).get_string("state") == "succeeded"; }, 10s));
  EXPECT_EQ(get(id).get_string("progress_message"), R"({"status":"completed"})");

  auto ended = node_->inject({"signal", std::to_string(id), "{}"});
  EXPECT_TRUE(ended.status.exited_with(1)) << ended.status.to_string();
  EXPECT_NE(ended.err.find("not running"), std::string::npos) << ended.err;
  auto unknown = node_->inject({"signal", "999999", "{}"});
  EXPECT_TRUE(unknown.status.exited_with(1)) << unknown.status.to_string();
  EXPECT_NE(unknown.err.find("999999: not found"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace meshjobs::testing

namespace meshjobs::testing {
namespace {

TEST_F(InjectAgainstNode, send_carries_any_client_message_as_json_and_prints_what_its_command_prints) {
  auto r = node_->inject({"send", "enqueue", R"({"kind":"demo.noop","args":{"n":7},"queue":"default","priority":3})"});
  ASSERT_TRUE(r.status.exited_with(0)) << r.err;
  auto id = json_line(r.out).get_int("id").value_or(0);
  ASSERT_GT(id, 0);
  auto got = node_->inject({"send", "lookup", "{\"id\":" + std::to_string(id) + "}"});
  ASSERT_TRUE(got.status.exited_with(0)) << got.err;
  auto j = json_line(got.out);
  EXPECT_EQ(j.get_int("priority"), 3);
  EXPECT_NE(j.get_raw("args").value_or("").find("\"n\":7"), std::string::npos) << got.out;
  auto stats = node_->inject({"send", "stats", "{}"});
  ASSERT_TRUE(stats.status.exited_with(0)) << stats.err;
  EXPECT_TRUE(json_line(stats.out).get_int("enqueued").has_value());
  auto missing = node_->inject({"send", "cancel", "{\"id\":999999999}"});
  EXPECT_TRUE(missing.status.exited_with(1)) << missing.status.to_string();
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.err;
}

TEST_F(InjectAgainstNode, nodes_on_a_standalone_node_is_one_line_with_its_own_kinds) {
  auto nodes = node_->nodes();
  ASSERT_EQ(nodes.size(), 1u);
  const auto& n = nodes[0];
  EXPECT_EQ(n.get_string("role"), "standalone");
  EXPECT_EQ(n.get_string("node"), "test-node");
  EXPECT_NE(n.get_raw("kinds").value_or("").find("demo.noop"), std::string::npos);
  EXPECT_GT(n.get_int("capacity").value_or(0), 0);
  EXPECT_TRUE(n.get_int("busy").has_value());
}

}  // namespace
}  // namespace meshjobs::testing
