// A peer that is no meshjobs client: it holds the node's credentials (it passes the link's
// authentication, as a compromised client or worker would), then uses CAF's send_exit and
// sends what a published front does not accept.
#pragma once

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <chrono>
#include <string>

#include "link/link_connector.hpp"
#include "link/link_credentials.hpp"
#include "meshjobs/messages/caf_types.hpp"

namespace meshjobs::testing {

class hostile_client {
 public:
  explicit hostile_client(const std::string& keys_dir) : sys_(with_middleman(cfg_)) {
    config node_config;
    node_config.security.keys_dir = keys_dir;
    credentials_ = link::load_credentials(link::sources_from(node_config));
  }

  /// The actor published at `port`.
  caf::actor connect(std::uint16_t port) {
    auto remote = link::connect_link(sys_, "127.0.0.1", port, credentials_, std::chrono::seconds(10));
    return caf::actor_cast<caf::actor>(remote.actor);
  }

  /// exit(kill) to the actor published at `port`, from a named actor.
  void kill_published_actor(std::uint16_t port) {
    auto front = connect(port);
    caf::scoped_actor self{sys_};
    self->send_exit(front, caf::exit_reason::kill);
  }

  /// A string, which no front's interface has; true when it answers with an error.
  bool send_unknown_message(std::uint16_t port) {
    auto front = connect(port);
    caf::scoped_actor self{sys_};
    bool refused = false;
    self->request(front, std::chrono::seconds(10), std::string{"rm -rf /"}, 42)
      .receive([](const caf::message&) {}, [&](caf::error& e) { refused = e == caf::sec::unexpected_message; });
    return refused;
  }

 private:
  /// The front's interface names its message types: the peer must know them to connect. It
  /// beats as a node's clients do, so the node keeps it while the test looks at the logs.
  static caf::actor_system_config& with_middleman(caf::actor_system_config& cfg) {
    register_message_types(cfg);
    cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(250)});
    return cfg.load<caf::io::middleman>();
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  link::link_credentials credentials_;
};

}  // namespace meshjobs::testing
