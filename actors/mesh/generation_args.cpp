// The arguments and the resource check of mesh.generation, shared by both backends.
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "mesh/generation_steps.hpp"
#include "pipeline_types.hpp"

namespace meshjobs {

namespace fs = std::filesystem;

generation_args read_generation_args(const std::string& text) {
  auto args = parse_job_args(text);
  generation_args out;
  out.mesh_id = required_id(args, "mesh_id");
  auto url = args.get_string("image_url");
  if (!url || url->empty())
    throw job_failure(deserialization_error, "args.image_url: missing or not a string");
  out.image_url = *url;
  if (auto raw = args.get_raw("parameters")) {
    out.parameters = *raw;
    auto params = parse_job_args(*raw);
    if (params.has("detail_factor")) {
      auto f = params.get_double("detail_factor");
      if (!f || *f <= 0 || *f >= 1)
        throw job_failure(deserialization_error, "args.parameters.detail_factor: must be a number in (0, 1)");
      out.options.detail_factor = *f;
    }
    if (params.has("height_scale")) {
      auto h = params.get_double("height_scale");
      if (!h || *h <= 0 || *h > 10)
        throw job_failure(deserialization_error, "args.parameters.height_scale: must be a number in (0, 10]");
      out.options.height_scale = *h;
    }
    out.obj = params.get_bool("obj").value_or(false);
    out.ply = params.get_bool("ply").value_or(false);
  }
  return out;
}

void check_resource_availability(mesh_pipeline& p) {
  p.resources().run();
}

void measure_resource_availability(const storage_config& storage) {
  const auto& root = storage.root;
  std::error_code ec;
  fs::create_directories(root, ec);
  struct statvfs st {};
  if (ec || ::statvfs(root.c_str(), &st) != 0)
    throw job_failure("service_error", "storage.root " + root + ": not usable (" +
                                       (ec ? ec.message() : std::string{std::strerror(errno)}) + ")");
  const auto free_mb = static_cast<std::int64_t>(st.f_bavail) * static_cast<std::int64_t>(st.f_frsize) >> 20;
  if (free_mb < storage.min_free_mb)
    throw job_failure("service_error", "storage.root " + root + ": " + std::to_string(free_mb) +
                                       " MB free, below storage.min_free_mb (" +
                                       std::to_string(storage.min_free_mb) + ")");
}

}  // namespace meshjobs
