// notifications.webhook: one notification POSTed as JSON to a webhook, signed with
// notifications.webhook_secret in X-Meshjobs-Signature ("sha256=<hex HMAC of the body>"). A job
// of its own, so that a receiver that is down is retried (exponentially, 5 attempts); a
// receiver that answers 4xx refused the body, which no retry changes: discarded.
// Asynchronous: it holds no thread while the request is in flight.
#include <spdlog/spdlog.h>

#include "meshjobs/http/http_client.hpp"
#include "pipeline_types.hpp"
#include "signature.hpp"

namespace meshjobs {

job_type webhook_delivery_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "notifications.webhook";
  t.queue = "default";
  t.retry.discard_on(deserialization_error).discard_on("webhook_refused").otherwise(wait_strategy::exponential(), 5);
  t.start = [p](async_context& ctx) {
    auto args = parse_job_args(ctx.args());
    auto url = args.get_string("url");
    auto body = args.get_string("body");
    if (!url || !body)
      throw job_failure(deserialization_error, "args.url and args.body: required strings");
    http::call_options options;
    options.timeout = std::chrono::milliseconds(p->cfg().mesh_service.request_timeout_ms);
    if (!p->cfg().notifications.webhook_secret.empty())
      options.headers.emplace_back(signature_header, sign_body(p->cfg().notifications.webhook_secret, *body));
    auto post = ctx.poster();
    p->http().post_json(*url, *body, [post, &ctx, url = *url](http::client_result r) {
      post([&ctx, url, r = std::move(r)] {
        if (auto* e = std::get_if<http::client_error>(&r))
          return ctx.fail(std::string{http::to_string(e->kind)}, e->message);
        const auto& answer = std::get<http::client_response>(r);
        if (answer.status >= 400)
          return ctx.fail("webhook_refused", "webhook " + url + " answered " + std::to_string(answer.status));
        ctx.done();
      });
    }, options);
  };
  return t;
}

}  // namespace meshjobs
