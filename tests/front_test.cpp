// The front actor against a hostile peer that got past the link's authentication: it can send
// the published actor `exit(kill)`, which no actor can trap, or messages of no meshjobs type.
// The node must shrug it off at once, keep serving on the same port and log who did it.
#include <gtest/gtest.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "link/link_connector.hpp"
#include "meshjobs/front.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

/// A peer that is no meshjobs client: it holds the node's credentials (it passes the link's
/// authentication, as a compromised client would), then uses CAF's send_exit and sends what
/// the front does not accept.
class hostile_client {
 public:
  explicit hostile_client(const std::string& keys_dir) : sys_(with_middleman(cfg_)) {
    config node_config;
    node_config.security.keys_dir = keys_dir;
    credentials_ = link::load_credentials(link::sources_from(node_config));
  }

  front_actor connect(std::uint16_t port) {
    auto remote = link::connect_link(sys_, "127.0.0.1", port, credentials_, std::chrono::seconds(10));
    return caf::actor_cast<front_actor>(remote.actor);
  }

  /// exit(kill) to the actor published at `port`, from a named actor.
  void kill_published_actor(std::uint16_t port) {
    auto front = connect(port);
    caf::scoped_actor self{sys_};
    self->send_exit(front, caf::exit_reason::kill);
  }

  /// A string, which the front's interface does not have; true when it answers with an error.
  bool send_unknown_message(std::uint16_t port) {
    auto front = caf::actor_cast<caf::actor>(connect(port));
    caf::scoped_actor self{sys_};
    bool refused = false;
    self->request(front, std::chrono::seconds(10), std::string{"rm -rf /"}, 42)
      .receive([](const caf::message&) {}, [&](caf::error& e) { refused = e == caf::sec::unexpected_message; });
    return refused;
  }

 private:
  /// The front's interface names its message types: the peer must know them to connect.
  static caf::actor_system_config& with_middleman(caf::actor_system_config& cfg) {
    register_message_types(cfg);
    return cfg.load<caf::io::middleman>();
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  link::link_credentials credentials_;
};

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
