// What the rest of the pipeline does with batches: a child's outcome for its image, creating a
// batch, cancelling one.
#include <spdlog/spdlog.h>

#include "mesh/batch_generation.hpp"
#include "mesh/batch_record.hpp"
#include "pipeline_types.hpp"

namespace meshjobs {
namespace {

constexpr const char* batch_kind = "mesh.batch_generation";

bool live(job_state s) {
  return s == job_state::scheduled || s == job_state::enqueued || s == job_state::running ||
         s == job_state::retrying;
}

/// A batch whose job has not run yet has no record: it is shown from its job's arguments.
std::optional<std::string> pending_batch_json(mesh_pipeline& p, std::int64_t id, std::int64_t limit) {
  auto j = p.rt().find(static_cast<job_id>(id));
  if (!j || j->kind != "mesh.batch_generation")
    return std::nullopt;
  batch::batch_record b;
  b.id = id;
  b.status = j->state == job_state::cancelled ? batch::status::cancelled : batch::status::pending;
  b.created_at = b.updated_at = j->enqueued_at;
  std::vector<batch::batch_image> images;
  try {
    auto args = read_batch_args(j->args);
    b.project = args.project;
    b.user = args.user;
    b.parameters = args.parameters;
    b.total = static_cast<std::int64_t>(args.images.size());
    for (std::size_t i = 0; i < args.images.size() && i < static_cast<std::size_t>(limit); ++i) {
      batch::batch_image image;
      image.index = static_cast<std::int64_t>(i);
      image.image_url = args.images[i];
      images.push_back(std::move(image));
    }
  } catch (const std::exception&) {
    b.status = batch::status::failed;  // its job will be discarded for these arguments
  }
  return batch::to_json(b, &images);
}

}  // namespace

std::vector<record_write> batch_outcome_records(const job& j, const job_outcome& o) {
  const auto id = static_cast<std::int64_t>(j.id);
  switch (o.kind) {
    case outcome_kind::succeeded:
      return {batch::writes::finished(id, o.finished_at)};
    case outcome_kind::dead:
    case outcome_kind::discarded:
    case outcome_kind::cancelled: {
      batch::batch_record b;
      b.id = id;
      try {
        auto args = read_batch_args(j.args);
        b.project = args.project;
        b.user = args.user;
        b.parameters = args.parameters;
      } catch (const job_failure&) {
        // Arguments that cannot be read still leave a record that says why the batch failed.
      }
      b.status = o.kind == outcome_kind::cancelled ? batch::status::cancelled : batch::status::failed;
      b.error_message = o.kind == outcome_kind::cancelled ? "cancelled" : o.error.kind + ": " + o.error.message;
      return {batch::writes::ended_early(b, o.finished_at)};
    }
    default:
      return {};
  }
}

std::vector<enqueue_request> batch_outcome_jobs(const job& j, const job_outcome& o) {
  switch (o.kind) {
    case outcome_kind::succeeded:
    case outcome_kind::dead:
    case outcome_kind::discarded:
    case outcome_kind::cancelled: {
      enqueue_request r;
      r.kind = "notifications.batch_completion";
      r.args = R"({"batch_id":)" + std::to_string(j.id) + "}";
      return {r};
    }
    default:
      return {};
  }
}

std::optional<std::string> batch_view(mesh_pipeline& p, std::int64_t id, std::int64_t offset, std::int64_t limit) {
  batch::batch_records records(p.rt());
  if (auto b = records.find(id)) {
    auto images = records.images(id, offset, limit);
    return batch::to_json(*b, &images);
  }
  return pending_batch_json(p, id, limit);
}

std::string to_args_json(const batch_args& a) {
  json::writer w;
  w.begin_object().key("project").value(a.project).key("user").value(a.user);
  if (a.folder.empty()) {
    w.key("images").begin_array();
    for (const auto& i : a.images)
      w.value(i);
    w.end_array();
  } else {
    w.key("folder").value(a.folder);
  }
  w.key("parameters").raw(a.parameters);
  if (a.child_kind != batch_args{}.child_kind)
    w.key("child_kind").value(a.child_kind);
  w.end_object();
  return w.take();
}

std::vector<record_write> batch_child_records(const job& j, const job_outcome& o) {
  const char* status = nullptr;
  switch (o.kind) {
    case outcome_kind::succeeded:
      status = batch::status::completed;
      break;
    case outcome_kind::dead:
    case outcome_kind::discarded:
      status = batch::status::failed;
      break;
    case outcome_kind::cancelled:
      status = batch::status::cancelled;
      break;
    default:
      return {};
  }
  auto parsed = json::object::parse(j.args, "args");
  auto* args = std::get_if<json::object>(&parsed);
  if (!args)
    return {};
  auto batch = args->get_int("batch_id");
  auto index = args->get_int("batch_index");
  if (!batch || !index)
    return {};
  const auto error = o.kind == outcome_kind::succeeded ? std::string{} : o.error.kind + ": " + o.error.message;
  return batch::writes::image_ended(*batch, *index, status, error, o.finished_at);
}

enqueue_reply create_batch(mesh_pipeline& p, const batch_args& a) {
  enqueue_request req;
  req.kind = batch_kind;
  req.args = to_args_json(a);
  req.unique = unique_mode::until_executed;
  req.has_unique = true;
  req.on_conflict = unique_conflict::log;
  req.unique_key = batch_unique_key(a);
  auto reply = p.rt().enqueue(req);
  if (reply.status == enqueue_status::duplicate)
    spdlog::info("batch of project \"{}\" ({} images{}) not enqueued: the same batch is pending or running as batch {}",
                 a.project, a.images.size(), a.folder.empty() ? "" : " of folder " + a.folder, reply.id);
  return reply;
}

std::string_view to_string(cancel_result r) {
  switch (r) {
    case cancel_result::cancelling: return "cancelling";
    case cancel_result::cancelled: return "cancelled";
    case cancel_result::finished: return "finished";
    case cancel_result::not_found: return "not_found";
  }
  return "unknown";
}

cancel_result cancel_batch(mesh_pipeline& p, std::int64_t batch_id) {
  auto& rt = p.rt();
  auto record = batch::batch_records(rt).find(batch_id);
  auto j = rt.find(static_cast<job_id>(batch_id));
  if (j && j->kind != batch_kind)
    return cancel_result::not_found;
  if (!j && !record)
    return cancel_result::not_found;
  if ((record && record->finished()) || !j || !live(j->state))
    return cancel_result::finished;
  // A running batch stops its own children; one that has not started is cancelled outright.
  // Between the two it may start: then the signal reaches it on the second try.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (rt.signal(static_cast<job_id>(batch_id), R"({"cancel":true})") == signal_status::delivered) {
      rt.write_records({batch::writes::cancelled(batch_id, rt.clock().now())});
      return cancel_result::cancelling;
    }
    switch (rt.cancel(static_cast<job_id>(batch_id))) {
      case cancel_status::cancelled: {
        // It never ran, so no outcome hook did: its record and its one notification come here.
        job_outcome o;
        o.kind = outcome_kind::cancelled;
        o.finished_at = rt.clock().now();
        rt.write_records(batch_outcome_records(*j, o));
        for (auto& note : batch_outcome_jobs(*j, o)) {
          note.idempotency_key = note.kind + ":" + std::to_string(batch_id);
          rt.enqueue(note);
        }
        return cancel_result::cancelled;
      }
      case cancel_status::not_found:
      case cancel_status::finished:
        return cancel_result::finished;
      case cancel_status::stopping:
        break;
    }
  }
  return cancel_result::cancelling;
}

}  // namespace meshjobs
