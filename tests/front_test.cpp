// The front actor against a hostile peer that got past the link's authentication: it can send
// the published actor `exit(kill)`, which no actor can trap, or messages of no meshjobs type.
// The node must shrug it off at once, keep serving on the same port and log who did it.
#include <gtest/gtest.h>

#include "hostile_client.hpp"
#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

class FrontActor : public ::testing::Test {
 protected:
  static node_settings settings() {
    node_settings s;
    s.inject_port = free_loopback_port();
    return s;
  }
  void SetUp() override { ASSERT_TRUE(node.wait_ready()) << node.log(); }

  temp_dir dir;
  node_process node{dir, settings()};
};

TEST_F(FrontActor, a_peer_s_exit_kill_costs_a_moment_and_names_the_peer) {
  hostile_client peer{node.keys_dir()};  // stays connected, so the node can still say where the peer is
  peer.kill_published_actor(node.port());

  EXPECT_TRUE(eventually([&] { return node.log().find("a new front actor serves") != std::string::npos; }, 5s))
    << node.log();
  // The next clients get the new front on the same port.
  auto r = node.inject({"--timeout", "5s", "enqueue", "demo.noop"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.err << "\n" << node.log();
  EXPECT_TRUE(node.process().running()) << node.log();
  auto log = node.log();
  EXPECT_NE(log.find("front: peer 127.0.0.1:"), std::string::npos) << log;
  EXPECT_NE(log.find("sent an exit message (kill)"), std::string::npos) << log;
}

TEST_F(FrontActor, a_message_it_does_not_accept_is_refused_and_names_the_peer) {
  hostile_client peer{node.keys_dir()};
  EXPECT_TRUE(peer.send_unknown_message(node.port()));
  EXPECT_TRUE(eventually([&] { return node.log().find("a message the front does not accept") != std::string::npos; },
                         5s))
    << node.log();
  auto log = node.log();
  EXPECT_NE(log.find("front: peer 127.0.0.1:"), std::string::npos) << log;
  auto r = node.inject({"--timeout", "5s", "enqueue", "demo.noop"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.err << "\n" << node.log();
}

}  // namespace
}  // namespace meshjobs::testing
