#include "mesh/progress_tracker.hpp"

#include <spdlog/spdlog.h>

#include "pipeline_types.hpp"

namespace meshjobs {
namespace {

constexpr const char* generation_kind = "mesh.generation";

class progress_tracker : public observer {
 public:
  explicit progress_tracker(std::shared_ptr<mesh_pipeline> p) : p_(std::move(p)) {}

  void on_progress(const job& j, std::int32_t percent, const std::string& message) override {
    if (j.kind != generation_kind)
      return;
    auto mesh = mesh_of(j);
    if (!mesh)
      return;
    try {
      p_->records().write({mesh::writes::progress(*mesh, j.attempt, percent, message, p_->rt().clock().now())});
    } catch (const std::exception& e) {
      spdlog::warn("progress of mesh {} not kept: {}", *mesh, e.what());
    }
    publish(*mesh, percent, message, mesh::status::processing);
  }

  void on_finished(const job& j, const job_outcome& o, std::int64_t) override {
    if (j.kind != generation_kind)
      return;
    auto mesh = mesh_of(j);
    if (!mesh)
      return;
    switch (o.kind) {
      case outcome_kind::succeeded:
        publish(*mesh, 100, "Mesh generation completed", mesh::status::completed);
        break;
      case outcome_kind::retry:
        publish(*mesh, j.progress, o.error.message, mesh::status::retrying);
        break;
      case outcome_kind::dead:
      case outcome_kind::discarded:
      case outcome_kind::cancelled:
        publish(*mesh, j.progress, o.error.message, mesh::status::failed);
        break;
      default:
        break;
    }
  }

 private:
  std::optional<std::int64_t> mesh_of(const job& j) {
    if (auto known = p_->mesh_of_job(j.id))
      return known;
    try {
      return p_->records().mesh_of_job(j.id);
    } catch (const std::exception& e) {
      spdlog::warn("progress of job {}: its mesh could not be read: {}", j.id, e.what());
      return std::nullopt;
    }
  }

  void publish(std::int64_t mesh, std::int32_t percent, const std::string& message, const char* status) {
    json::writer w;
    w.begin_object().key("mesh_id").value(mesh).key("progress").value(percent).key("message").value(message)
      .key("status").value(status).end_object();
    p_->rt().publish("mesh:" + std::to_string(mesh), w.str());
  }

  std::shared_ptr<mesh_pipeline> p_;
};

}  // namespace

std::shared_ptr<observer> make_progress_tracker(std::shared_ptr<mesh_pipeline> p) {
  return std::make_shared<progress_tracker>(std::move(p));
}

}  // namespace meshjobs
