// The workers of this node: one supervisor per job type it runs, each registered with the
// coordinator as any worker is, through the worker interface. A supervisor that dies of a bug
// is replaced, and the new one registers afresh; the coordinator, which monitors each worker,
// has put the jobs the old one ran back in their queues by then. Linked to the coordinator:
// when the coordinator goes, the workers go.
#pragma once

#include <caf/typed_actor.hpp>

#include <memory>

#include "meshjobs/messages/interfaces.hpp"
#include "node/runtime_env.hpp"

namespace meshjobs {

/// `stop`: the node is going down; a supervisor that exits is not replaced any more.
using local_workers_actor = caf::typed_actor<caf::reacts_to<stop_atom>>;

local_workers_actor spawn_local_workers(caf::actor_system& sys, coordinator_actor coordinator,
                                        std::shared_ptr<const runtime_env> env);

}  // namespace meshjobs
