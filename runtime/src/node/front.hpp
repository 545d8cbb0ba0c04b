#pragma once

#include <caf/fwd.hpp>

#include <memory>

#include "node/front_keeper.hpp"
#include "node/views.hpp"
#include "meshjobs/messages/interfaces.hpp"
#include "meshjobs/front.hpp"

namespace meshjobs {

/// Spawns a front that forwards to `coordinator` and tells `keeper` of every exit message
/// sent to it. It ends (normally) when the coordinator does. `views` answer view requests.
front_actor spawn_front(caf::actor_system& sys, client_interface coordinator, front_keeper_actor keeper,
                        std::shared_ptr<const view_table> views);

}  // namespace meshjobs
