// The pipeline's job types, one factory per seed job; register_mesh_pipeline registers them.
// Each is named by its meshjobs kind and answers to the seed's class name too
// (`Mesh::GenerationJob` is `mesh.generation`, see config's kind_from_class_name).
#pragma once

#include <memory>
#include <string>

#include "mesh_pipeline.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs {

/// The seed's ActiveJob::DeserializationError: arguments a job cannot read. Discarded.
inline constexpr const char* deserialization_error = "deserialization_error";

/// The job's arguments as a JSON object; a job_failure of kind deserialization_error otherwise.
json::object parse_job_args(const std::string& args);
/// args[key] as a positive integer id; deserialization_error naming the key otherwise.
std::int64_t required_id(const json::object& args, const char* key);

job_type mesh_generation_type(std::shared_ptr<mesh_pipeline> p);
job_type mesh_progress_callback_type(std::shared_ptr<mesh_pipeline> p);
job_type mesh_cleanup_type(std::shared_ptr<mesh_pipeline> p);
job_type mesh_retry_type(std::shared_ptr<mesh_pipeline> p);
job_type storage_cleanup_type(std::shared_ptr<mesh_pipeline> p);
job_type thumbnail_generation_type(std::shared_ptr<mesh_pipeline> p);
job_type mesh_completion_type(std::shared_ptr<mesh_pipeline> p);
job_type mesh_failure_type(std::shared_ptr<mesh_pipeline> p);
job_type webhook_delivery_type(std::shared_ptr<mesh_pipeline> p);
job_type usage_report_type(std::shared_ptr<mesh_pipeline> p);
job_type batch_generation_type(std::shared_ptr<mesh_pipeline> p);
job_type batch_completion_type(std::shared_ptr<mesh_pipeline> p);

}  // namespace meshjobs
