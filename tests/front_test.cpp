// The front actor against a hostile peer: any client that reaches the inject port can send the
// published actor `exit(kill)`, which no actor can trap. The node must shrug it off at once,
// keep serving on the same port and log who did it.
#include <gtest/gtest.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "meshjobs/front.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

/// A peer that is no meshjobs client: CAF's own remote_actor and send_exit.
class killing_peer {
 public:
  killing_peer() : sys_(with_middleman(cfg_)) {}

  /// Connects to the actor published at `port` and sends it exit(kill) from a named actor.
  void kill_published_actor(std::uint16_t port) {
    auto published = sys_.middleman().remote_actor<front_actor>("127.0.0.1", port);
    if (!published)
      throw std::runtime_error("remote_actor: " + sys_.render(published.error()));
    caf::scoped_actor self{sys_};
    self->send_exit(*published, caf::exit_reason::kill);
  }

 private:
  /// The front's interface names its message types: the peer must know them to connect.
  static caf::actor_system_config& with_middleman(caf::actor_system_config& cfg) {
    register_message_types(cfg);
    return cfg.load<caf::io::middleman>();
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
};

TEST(FrontActor, a_peer_s_exit_kill_costs_a_moment_and_names_the_peer) {
  temp_dir dir;
  node_settings s;
  s.inject_port = free_loopback_port();
  node_process node{dir, s};
  ASSERT_TRUE(node.wait_ready()) << node.log();

  killing_peer peer;  // stays connected, so the node can still say where the peer is
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

}  // namespace
}  // namespace meshjobs::testing
