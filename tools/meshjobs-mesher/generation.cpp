// One generation, on a mesher thread: load the image, decode, triangulate, write the .glb,
// reporting each step on the job and to its callback URL.
#include <spdlog/spdlog.h>

#include <future>

#include "mesh_service.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs::mesher_service {

void mesh_service::run(const std::string& id) {
  auto job = jobs_.find(id);
  if (!job) {
    --in_flight_;
    return;
  }
  step(id, 5, "Loading image");
  auto image = load(job->image_url);
  if (auto* e = std::get_if<mesh::image_error>(&image))
    return fail(id, e->kind + ": " + e->message);
  if (job->faults.hangs("work")) {
    step(id, 50, "Generating mesh");  // and never more: the injected hang
    --in_flight_;
    return;
  }
  if (draw_failure(job->faults.failure_rate))
    return fail(id, "injected failure (failure_rate " + std::to_string(job->faults.failure_rate) + ")");
  try {
    step(id, 20, "Decoding image");
    auto field = mesher::decode_height_field(std::get<std::string>(image), options_.image_limits,
                                             job->image_url);
    step(id, 40, "Triangulating height field");
    auto mesh = mesher::triangulate(field, {job->detail_factor, job->height_scale});
    step(id, 80, "Writing glTF");
    auto glb = mesher::encode_glb(mesh);
    finish(id, mesh, std::move(glb));
  } catch (const mesher::mesher_error& e) {
    fail(id, e.kind() + ": " + e.what());
  } catch (const std::exception& e) {
    fail(id, std::string{"mesher: "} + e.what());
  }
}

mesh::image_result mesh_service::load(const std::string& source) {
  mesh::image_source_limits limits;
  limits.max_bytes = options_.image_limits.max_bytes;
  limits.http_timeout = options_.image_fetch_timeout;
  if (!mesh::is_http_source(source))
    return mesh::read_local_image(source, limits);
  // This thread is the service's own, not an io thread: it may wait for the fetch.
  std::promise<mesh::image_result> fetched;
  auto answer = fetched.get_future();
  mesh::load_image(source, limits, client_,
                   [&fetched](mesh::image_result r) { fetched.set_value(std::move(r)); });
  return answer.get();
}

void mesh_service::step(const std::string& id, int progress, const std::string& message,
                        const std::string& status) {
  auto changed = jobs_.update(id, [&](job_entry& job) {
    job.progress = progress;
    job.message = message;
    job.status = status;
  });
  if (changed)
    notify(changed->entry, false);
}

void mesh_service::finish(const std::string& id, const mesher::triangle_mesh& mesh, std::string glb) {
  auto bytes = std::make_shared<const std::string>(std::move(glb));
  end(id, [&](job_entry& job) {
    job.status = "completed";
    job.progress = 100;
    job.message = "Mesh generation completed";
    job.vertex_count = mesh.vertex_count();
    job.triangle_count = mesh.triangle_count();
    job.glb = bytes;
  });
}

void mesh_service::fail(const std::string& id, const std::string& message) {
  spdlog::warn("job {}: failed: {}", id, message);
  end(id, [&](job_entry& job) {
    job.status = "failed";
    job.message = message;
  });
}

void mesh_service::end(const std::string& id, const std::function<void(job_entry&)>& change) {
  auto changed = jobs_.update(id, change);
  --in_flight_;
  if (!changed)
    return;
  notify(changed->entry, true);
  for (auto& waiter : changed->waiters)
    answer(changed->entry.faults, "generate", std::move(waiter), result_body(changed->entry));
}

void mesh_service::notify(const job_entry& job, bool last) {
  if (job.callback_url.empty() || job.faults.callback == "never")
    return;
  json::writer w;
  w.begin_object()
      .key("job_id").value(job.job_id)
      .key("progress").value(static_cast<std::int64_t>(job.progress))
      .key("message").value(job.message)
      .key("status").value(job.status)
      .end_object();
  const int copies = last && job.faults.callback == "twice" ? 2 : 1;
  for (int i = 0; i < copies; ++i)
    callbacks_.send(job.job_id, job.callback_url, w.str());
}

bool mesh_service::draw_failure(double rate) {
  if (rate <= 0)
    return false;
  std::lock_guard<std::mutex> guard{random_mutex_};
  return std::uniform_real_distribution<double>{0, 1}(random_) < rate;
}

}  // namespace meshjobs::mesher_service
