// Registers meshjobs' message types with CAF (a type-ID block: the form that carries forward
// to CAF 0.18+). Every node registers the same block, so messages cross process boundaries.
#pragma once

#include <caf/type_id.hpp>

#include <string>
#include <vector>

#include "meshjobs/messages/job_event.hpp"
#include "meshjobs/messages/job_spec.hpp"
#include "meshjobs/messages/handles.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace caf {
class actor_system_config;
}

CAF_BEGIN_TYPE_ID_BLOCK(meshjobs, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_error))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_state))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::enqueue_request))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::enqueue_reply))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_outcome))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::runtime_stats))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_lookup))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::cancel_status))
CAF_ADD_TYPE_ID(meshjobs, (std::vector<meshjobs::job>))
CAF_ADD_TYPE_ID(meshjobs, (std::vector<meshjobs::enqueue_request>))
CAF_ADD_TYPE_ID(meshjobs, (std::vector<meshjobs::enqueue_reply>))
CAF_ADD_TYPE_ID(meshjobs, (std::vector<meshjobs::job_outcome>))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_event))
CAF_ADD_TYPE_ID(meshjobs, (std::vector<meshjobs::job_event>))
CAF_ADD_TYPE_ID(meshjobs, (std::vector<meshjobs::record_write>))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_progress))
CAF_ADD_TYPE_ID(meshjobs, (std::vector<meshjobs::job_progress>))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::signal_status))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_end))
CAF_ADD_TYPE_ID(meshjobs, (std::vector<meshjobs::job_id>))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_spec))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::worker_registration))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_query))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::job_page))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::worker_actor))
CAF_ADD_TYPE_ID(meshjobs, (meshjobs::watcher_actor))
CAF_END_TYPE_ID_BLOCK(meshjobs)

namespace meshjobs {

/// Adds meshjobs' types to a CAF config; call on every node before the actor system starts.
void register_message_types(caf::actor_system_config& cfg);

}  // namespace meshjobs
