#include "node/front_keeper.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>


namespace meshjobs {
namespace {

constexpr auto middleman_timeout = std::chrono::seconds(5);

struct front_keeper_state {
  std::shared_ptr<link::link_listener> listener;
  front_factory make;
  caf::actor front;
  static inline const char* name = "front_keeper";
};

using keeper_pointer = front_keeper_actor::stateful_pointer<front_keeper_state>;

void watch(keeper_pointer self, caf::actor front) {
  self->state.front = std::move(front);
  self->monitor(self->state.front);
}

/// The port's next connections get a new front; the dead one's clients see it gone.
void replace_front(keeper_pointer self) {
  auto& st = self->state;
  auto front = st.make(self->home_system(), caf::actor_cast<front_keeper_actor>(self));
  st.listener->set_actor(caf::actor_cast<caf::strong_actor_ptr>(front.actor), std::move(front.interface));
  watch(self, std::move(front.actor));
  spdlog::warn("front: a new front actor serves the {} {}:{}", st.listener->what(), st.listener->host(),
               st.listener->port());
}

/// `kill`, `user_shutdown`...: an exit reason reads as its name.
std::string reason_text(const caf::error& reason) {
  if (reason.category() == caf::atom("exit"))
    return caf::to_string(static_cast<caf::exit_reason>(reason.code()));
  return caf::to_string(reason);
}

/// Names who sent the front `what`: the peer's node and address when CAF knows them.
void report_peer(keeper_pointer self, const caf::node_id& node, caf::actor_id actor, const std::string& what) {
  if (node == caf::none) {
    spdlog::warn("front: an anonymous sender sent {}", what);
    return;
  }
  if (node == self->home_system().node()) {
    spdlog::warn("front: local actor {} sent {}", actor, what);
    return;
  }
  auto mm = self->home_system().middleman().actor_handle();
  self->request(mm, middleman_timeout, caf::get_atom::value, node)
    .then(
      [what, actor](const caf::node_id& nid, const std::string& host, std::uint16_t port) {
        if (host.empty())  // the peer left before the middleman was asked
          spdlog::warn("front: peer node {} (actor {}) sent {}", caf::to_string(nid), actor, what);
        else
          spdlog::warn("front: peer {}:{} (node {}, actor {}) sent {}", host, port, caf::to_string(nid), actor,
                       what);
      },
      [what, node, actor](caf::error&) {
        spdlog::warn("front: peer node {} (actor {}) sent {}", caf::to_string(node), actor, what);
      });
}

front_keeper_actor::behavior_type front_keeper(keeper_pointer self, std::shared_ptr<link::link_listener> listener,
                                               front_factory make) {
  self->state.listener = std::move(listener);
  self->state.make = std::move(make);
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.source != self->state.front.address())
      return;
    self->state.front = nullptr;
    if (msg.reason == caf::exit_reason::normal)
      return;  // the coordinator ended: the node is stopping
    spdlog::warn("front: the front actor died ({}); replacing it", reason_text(msg.reason));
    replace_front(self);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (self->state.front)
      caf::anon_send_exit(self->state.front, caf::exit_reason::kill);
    self->quit(msg.reason);
  });
  return {
    [self](caf::actor& front) { watch(self, std::move(front)); },
    [self](caf::node_id& node, caf::actor_id actor, caf::error& reason) {
      report_peer(self, node, actor, "an exit message (" + reason_text(reason) + ")");
    },
    [self](caf::node_id& node, caf::actor_id actor, std::string& refused) {
      report_peer(self, node, actor, "a message the front does not accept: " + refused);
    },
  };
}

}  // namespace

front_keeper_actor spawn_front_keeper(caf::actor_system& sys, std::shared_ptr<link::link_listener> listener,
                                      front_factory make) {
  return sys.spawn(front_keeper, std::move(listener), std::move(make));
}

front_keeper_actor publish_front(caf::actor_system& sys, std::shared_ptr<link::link_listener> listener,
                                 front_factory make) {
  auto keeper = spawn_front_keeper(sys, listener, make);
  auto first = make(sys, keeper);
  listener->set_actor(caf::actor_cast<caf::strong_actor_ptr>(first.actor), std::move(first.interface));
  caf::anon_send(keeper, std::move(first.actor));
  listener->start();
  return keeper;
}

}  // namespace meshjobs
