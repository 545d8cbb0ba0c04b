// Where a notification goes besides the log: the channel user:<id> (WebSocket clients
// subscribe to it) and the configured webhook, as a notifications.webhook job of its own so that
// it is retried. Shared by the mesh and the batch notifications.
#pragma once

#include <string>

#include "mesh_pipeline.hpp"

namespace meshjobs {

/// Publishes `body` on user:<user> (when there is a user) and enqueues the webhook (when one is
/// configured) with an idempotency key of `event` and this job, so that a retry sends it once.
/// Throws job_failure(service_error) when the webhook job is refused.
void deliver_notification(mesh_pipeline& p, job_context& ctx, const char* event, const std::string& user,
                          const std::string& body);

}  // namespace meshjobs
