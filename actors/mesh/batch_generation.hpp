// mesh.batch_generation: its arguments, the hook its children's outcomes carry, and what a
// caller does with a batch (create it, cancel it). The job itself: batch_generation.cpp.
//
//   auto b = meshjobs::create_batch(*pipeline, {"project-1", "user-7", {"a.png", "b.png"}, "", "{}"});
//   // b.id is the batch's id (its job's); b.status `duplicate` names the batch already running
//   meshjobs::cancel_batch(*pipeline, b.id);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mesh_pipeline.hpp"

namespace meshjobs {

/// What a batch is given: images (paths or URLs) or a folder of them, and the parameters of
/// every generation. The seed's names (project_id, user_id, image_ids) are accepted too.
struct batch_args {
  std::string project;
  std::string user;
  std::vector<std::string> images;
  std::string folder;                       ///< instead of images: every image file in it
  std::string parameters = "{}";
  std::string child_kind = "mesh.generation";  ///< what each image runs as (tests, benches)
};

/// Throws job_failure(deserialization_error) naming the argument that is wrong.
batch_args read_batch_args(const std::string& args_json);
std::string to_args_json(const batch_args& a);
/// The seed's `unique :until_executed`: the same project and image set (or folder) is one
/// batch until it has run, whoever asks and with whatever parameters.
std::string batch_unique_key(const batch_args& a);

/// A child's outcome, for its image: its row ends (completed, failed or cancelled) and the
/// batch's counts move, in the child's own outcome commit. Nothing for a job that is not a
/// batch's child, or an outcome that is not final. Any child kind's outcome_records adds it.
std::vector<record_write> batch_child_records(const job& j, const job_outcome& o);

/// The batch job's own outcome: the record completed (or cancelled, failed; made from the
/// arguments if its setup never ran), and, on any end, its one notifications.batch_completion.
std::vector<record_write> batch_outcome_records(const job& j, const job_outcome& o);
std::vector<enqueue_request> batch_outcome_jobs(const job& j, const job_outcome& o);

/// Enqueues a batch (durable when it returns). `duplicate`: the same batch is pending or
/// running, and `id` is that batch's; `refused` names why.
enqueue_reply create_batch(mesh_pipeline& p, const batch_args& a);

/// How many images a batch view shows unless asked for more.
inline constexpr std::int64_t default_batch_images = 1000;
inline constexpr std::int64_t max_batch_images = 10000;

/// The batch as the API and meshjobs-inject show it, with images [offset, offset + limit) and
/// each one's status; a batch whose job has not run yet, from its arguments. Nothing when
/// there is no such batch. Blocking (reads records).
std::optional<std::string> batch_view(mesh_pipeline& p, std::int64_t id, std::int64_t offset = 0,
                                      std::int64_t limit = default_batch_images);

enum class cancel_result { cancelling, cancelled, finished, not_found };
std::string_view to_string(cancel_result r);
/// Cancels a batch: pending children never start, running ones are cancelled, and the record
/// says cancelled. `cancelling`: the running batch is stopping its children; `cancelled`: it
/// had not started; `finished`: it had ended already, nothing changed.
cancel_result cancel_batch(mesh_pipeline& p, std::int64_t batch_id);

}  // namespace meshjobs
