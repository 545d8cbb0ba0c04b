// Keeps a live front actor behind the inject port. Any authenticated peer can send the front
// `exit(kill)`, which no actor can trap: the front reports who sent it, and when it dies the
// keeper gives the port a new front at once and logs it. It also names the peers that send
// the front what it does not accept.
#pragma once

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>
#include <string>

#include "link/link_listener.hpp"
#include "node/views.hpp"
#include "meshjobs/messages/interfaces.hpp"
#include "meshjobs/front.hpp"

namespace meshjobs {

using front_keeper_actor = caf::typed_actor<
  // from the runtime: the front the listener hands out now; watch it
  caf::reacts_to<front_actor>,
  // from the front, before an exit message takes effect: who sent it and why
  caf::reacts_to<caf::node_id, caf::actor_id, caf::error>,
  // from the front: who sent it a message it refused, and what that message was
  caf::reacts_to<caf::node_id, caf::actor_id, std::string>>;

/// An exit message to the keeper stops it and kills the front it watches (the runtime's stop).
front_keeper_actor spawn_front_keeper(caf::actor_system& sys, client_interface coordinator,
                                      std::shared_ptr<link::link_listener> listener,
                                      std::shared_ptr<const view_table> views);

}  // namespace meshjobs
