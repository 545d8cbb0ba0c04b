// The workers of this node: one supervisor per job type it runs, each registered with the
// coordinator as any worker is, through the worker interface (on a worker node, through the
// uplink to its head). A supervisor that dies of a bug is replaced, and the new one registers
// afresh; the coordinator, which monitors each worker, has put the jobs the old one ran back in
// their queues by then. Linked to the coordinator (or the uplink): when it goes, the workers go.
#pragma once

#include <caf/typed_actor.hpp>

#include <memory>

#include "meshjobs/messages/interfaces.hpp"
#include "node/runtime_env.hpp"

namespace meshjobs {

/// `stop`: the node is going down; a supervisor that exits is not replaced any more.
using local_workers_actor = caf::typed_actor<caf::reacts_to<stop_atom>>;

/// Runs the node's kinds that `env->cfg.node.run_kinds` names (see runs_kind).
local_workers_actor spawn_local_workers(caf::actor_system& sys, worker_link_actor coordinator,
                                        std::shared_ptr<const runtime_env> env);

/// Whether `pattern_list` (node.run_kinds: comma-separated kinds, `prefix*` entries) names
/// `kind`; an empty list names every kind.
bool runs_kind(const std::string& pattern_list, const std::string& kind);

}  // namespace meshjobs
