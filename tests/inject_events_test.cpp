// meshjobs-inject events against a real node: it streams the node's events as JSON lines in
// the coordinator's order until Ctrl-C, and its end unsubscribes it on the node.
#include <gtest/gtest.h>

#include <csignal>
#include <optional>

#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

std::size_t relays(const node_process& node) {
  auto subscribers = node.stats().get_raw("subscribers").value_or("[]");
  std::size_t n = 0;
  for (auto at = subscribers.find("relay to"); at != std::string::npos; at = subscribers.find("relay to", at + 1))
    ++n;
  return n;
}

/// A node, and `meshjobs-inject events` following it (its output in events.out / events.err).
class InjectEvents : public ::testing::Test {
 protected:
  InjectEvents() : node_{dir_, settings()} {}

  static node_settings settings() {
    node_settings s;
    s.inject_port = free_loopback_port();
    return s;
  }

  /// Starts the follower once the node is up; false (with the reason logged) if it does not
  /// subscribe.
  bool follow() {
    if (!node_.wait_ready())
      return false;
    spawn_options opts;
    opts.args = {"--node", node_.address(), "--keys", node_.keys_dir(), "events"};
    opts.env = {asan_options_without_leak_check()};
    opts.stdout_path = out_;
    opts.stderr_path = err_;
    follower_.emplace(MESHJOBS_INJECT_BIN, opts);
    return eventually([&] { return relays(node_) == 1; }, 10s);
  }

  temp_dir dir_;
  node_process node_;
  std::string out_ = dir_.file("events.out");
  std::string err_ = dir_.file("events.err");
  std::optional<child_process> follower_;
};

TEST_F(InjectEvents, StreamsEachChangeAsAJsonLineUntilCtrlCAndItsEndUnsubscribesIt) {
  ASSERT_TRUE(follow()) << node_.log() << read_file(err_);
  auto& node = node_;
  auto& follower = *follower_;

  auto id = node.enqueue("demo.noop", "{}");
  std::vector<json::object> seen;
  ASSERT_TRUE(eventually(
    [&] {
      seen.clear();
      for (const auto& line : read_lines(out_))
        seen.push_back(json_line(line));
      return !seen.empty() && seen.back().get_string("event") == "succeeded";
    },
    10s))
    << read_file(out_);
  std::vector<std::string> events;
  for (const auto& e : seen) {
    EXPECT_EQ(e.get_int("id"), id);
    EXPECT_EQ(e.get_string("kind"), "demo.noop");
    events.push_back(e.get_string("event").value_or(""));
  }
  EXPECT_EQ(events, (std::vector<std::string>{"enqueued", "started", "succeeded"}));
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_GT(seen[i].get_int("seq").value_or(0), seen[i - 1].get_int("seq").value_or(0));

  follower.signal(SIGINT);
  auto status = follower.wait_for(10s);
  ASSERT_TRUE(status.has_value()) << "still streaming after Ctrl-C";
  EXPECT_TRUE(status->exited_with(0)) << status->to_string() << "\n" << read_file(err_);
  EXPECT_TRUE(eventually([&] { return relays(node) == 0; }, 10s)) << "still subscribed\n" << node.log();
}

TEST_F(InjectEvents, ExitsWith3WhenTheNodeGoesAway) {
  ASSERT_TRUE(follow()) << node_.log() << read_file(err_);
  node_.process().kill();
  auto status = follower_->wait_for(10s);
  ASSERT_TRUE(status.has_value()) << "still waiting for a node that is gone";
  EXPECT_TRUE(status->exited_with(3)) << status->to_string();
  EXPECT_NE(read_file(err_).find("connection was lost"), std::string::npos) << read_file(err_);
}

}  // namespace
}  // namespace meshjobs::testing
