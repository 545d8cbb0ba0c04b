// Keeps a live front actor behind a published port (the inject port, the cluster port). Any authenticated peer can send the front
// `exit(kill)`, which no actor can trap: the front reports who sent it, and when it dies the
// keeper gives the port a new front at once and logs it. It also names the peers that send
// the front what it does not accept.
#pragma once

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "link/link_listener.hpp"

namespace meshjobs {

using front_keeper_actor = caf::typed_actor<
  // from the runtime: the front the listener hands out now; watch it
  caf::reacts_to<caf::actor>,
  // from the front, before an exit message takes effect: who sent it and why
  caf::reacts_to<caf::node_id, caf::actor_id, caf::error>,
  // from the front: who sent it a message it refused, and what that message was
  caf::reacts_to<caf::node_id, caf::actor_id, std::string>>;

/// A front as a listener hands it out: the actor and its interface (its message types).
struct published_front {
  caf::actor actor;
  std::set<std::string> interface;
};

/// Spawns a new front that reports to the keeper given.
using front_factory = std::function<published_front(caf::actor_system&, front_keeper_actor)>;

/// An exit message to the keeper stops it and kills the front it watches (the runtime's stop).
front_keeper_actor spawn_front_keeper(caf::actor_system& sys, std::shared_ptr<link::link_listener> listener,
                                      front_factory make);

/// Spawns the first front with `make`, gives it to the listener and the keeper, and starts the
/// listener. Returns the keeper.
front_keeper_actor publish_front(caf::actor_system& sys, std::shared_ptr<link::link_listener> listener,
                                 front_factory make);

}  // namespace meshjobs
