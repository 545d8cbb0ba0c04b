// The front actor: what a node publishes on its inject port for meshjobs-inject and other
// clients. It traps exit messages, accepts only these messages and forwards them to the
// coordinator, which is never published itself.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <vector>

#include "meshjobs/messages/atoms.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

using front_actor = caf::typed_actor<
  caf::replies_to<enqueue_atom, enqueue_request>::with<enqueue_reply>,
  caf::replies_to<lookup_atom, job_id>::with<job_lookup>,
  caf::replies_to<list_atom, job_state, std::uint32_t>::with<std::vector<job>>,
  caf::replies_to<cancel_atom, job_id>::with<cancel_status>,
  caf::replies_to<stats_atom>::with<runtime_stats>,
  caf::replies_to<signal_atom, job_id, std::string>::with<signal_status>>;

}  // namespace meshjobs
