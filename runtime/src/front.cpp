#include "front.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace meshjobs {

front_actor::behavior_type front(front_actor::pointer self, coordinator_actor coordinator) {
  // Any peer can send an exit message to a published actor: ignore them all.
  self->set_exit_handler([](caf::exit_msg& msg) {
    spdlog::warn("front: ignored an exit message from a peer ({})", caf::to_string(msg.reason));
  });
  self->set_default_handler([](caf::scheduled_actor*, caf::message_view& msg) -> caf::result<caf::message> {
    spdlog::warn("front: refused a message that is not meshjobs': {}", caf::to_string(msg.content()));
    return caf::sec::unexpected_message;
  });
  return {
    [=](enqueue_atom a, enqueue_request& req) { return self->delegate(coordinator, a, std::move(req)); },
    [=](lookup_atom a, job_id id) { return self->delegate(coordinator, a, id); },
    [=](list_atom a, job_state s, std::uint32_t limit) { return self->delegate(coordinator, a, s, limit); },
    [=](cancel_atom a, job_id id) { return self->delegate(coordinator, a, id); },
    [=](stats_atom a) { return self->delegate(coordinator, a); },
    [=](signal_atom a, job_id id, std::string& payload) { return self->delegate(coordinator, a, id, std::move(payload)); },
  };
}

}  // namespace meshjobs
