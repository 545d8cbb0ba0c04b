// notifications.batch_completion (the seed's Notifications::BatchCompletionJob): once per batch,
// after its last child (or when it failed or was cancelled). It tells `complete` (every image
// ended) apart from `success` (every image completed), as Sidekiq Pro's batches do.
#include <spdlog/spdlog.h>

#include "mesh/batch_record.hpp"
#include "notifications/sinks.hpp"
#include "pipeline_types.hpp"

namespace meshjobs {
namespace {

void notify_batch(mesh_pipeline& p, job_context& ctx) {
  const auto id = required_id(parse_job_args(ctx.args()), "batch_id");
  auto b = batch::batch_records(p.rt()).find(id);
  if (!b)
    throw job_failure("not_found", "no batch " + std::to_string(id));
  const bool complete = b->total == b->ended();
  const bool success = b->total == b->completed;
  json::writer w;
  w.begin_object().key("event").value("batch.completed").key("complete").value(complete).key("success").value(success)
    .key("batch").raw(batch::to_json(*b)).end_object();
  if (p.cfg().notifications.log) {
    if (success)
      spdlog::info("notification batch.completed: batch {} of user {}: all {} images completed", b->id, b->user, b->total);
    else
      spdlog::warn("notification batch.completed: batch {} of user {} {}: {} completed, {} failed, {} cancelled of {}",
                   b->id, b->user, b->status, b->completed, b->failed, b->cancelled, b->total);
  }
  deliver_notification(p, ctx, "batch.completed", b->user, w.take());
}

}  // namespace

job_type batch_completion_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "notifications.batch_completion";
  t.queue = "default";
  t.retry.discard_on(deserialization_error).discard_on("not_found").otherwise(wait_strategy::exponential(), 5);
  t.perform = [p](job_context& ctx) { notify_batch(*p, ctx); };
  return t;
}

}  // namespace meshjobs
