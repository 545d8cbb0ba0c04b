// The front a head publishes on its cluster port for worker nodes: it forwards a worker's
// messages and its jobs' client calls to the coordinator, keeping the sender (a worker is known
// by its address), and accepts nothing else. Like the inject port's front, it traps exits and
// its keeper replaces it when a peer kills it.
#pragma once

#include "node/front_keeper.hpp"
#include "meshjobs/messages/interfaces.hpp"

namespace meshjobs {

/// Spawns a worker front that ends (normally) when the coordinator does.
worker_link_actor spawn_worker_front(caf::actor_system& sys, worker_link_actor coordinator, front_keeper_actor keeper);

}  // namespace meshjobs
