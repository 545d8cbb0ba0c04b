#include "notifications/sinks.hpp"

#include "pipeline_types.hpp"

namespace meshjobs {

void deliver_notification(mesh_pipeline& p, job_context& ctx, const char* event, const std::string& user,
                          const std::string& body) {
  if (!user.empty())
    p.rt().publish("user:" + user, body);
  const auto& url = p.cfg().notifications.webhook_url;
  if (url.empty())
    return;
  enqueue_request hook;
  hook.kind = "notifications.webhook";
  json::writer w;
  w.begin_object().key("url").value(url).key("body").value(body).end_object();
  hook.args = w.take();
  hook.idempotency_key = std::string{event} + ":" + std::to_string(ctx.current().id);
  auto reply = ctx.enqueue(std::move(hook));
  if (reply.status == enqueue_status::refused)
    throw job_failure("service_error", "notifications.webhook refused: " + reply.error);
}

}  // namespace meshjobs
