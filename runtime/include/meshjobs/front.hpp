// The front actor: what a node publishes on its inject port for meshjobs-inject and other
// clients. It traps exit messages, accepts only these messages and forwards them to the
// coordinator, which is never published itself.
#pragma once

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "meshjobs/messages/atoms.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

using front_actor = caf::typed_actor<
  caf::replies_to<enqueue_atom, enqueue_request>::with<enqueue_reply>,
  caf::replies_to<lookup_atom, job_id>::with<job_lookup>,
  caf::replies_to<list_atom, job_query>::with<job_page>,
  caf::replies_to<cancel_atom, job_id>::with<cancel_status>,
  caf::replies_to<stats_atom>::with<runtime_stats>,
  caf::replies_to<retry_atom, job_id>::with<bool>,   ///< false: no dead job with this id
  caf::replies_to<pause_atom, std::string>::with<bool>,   ///< false: no such queue
  caf::replies_to<resume_atom, std::string>::with<bool>,
  caf::replies_to<signal_atom, job_id, std::string>::with<signal_status>,
  /// A view the node registered (runtime::register_view), by name and key: its JSON, or
  /// {"error": "not_found" | "unknown_view", "detail": ...}.
  caf::replies_to<lookup_atom, std::string, std::string>::with<std::string>,
  /// Streams the node's events to the actor, as (events, [job_event]) requests answered with
  /// true, until it dies.
  caf::replies_to<events_atom, caf::actor>::with<bool>>;

}  // namespace meshjobs
