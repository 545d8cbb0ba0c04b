#include "image_run.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "mesh/batch_generation.hpp"
#include "mesh/batch_record.hpp"
#include "mesh/image_source.hpp"
#include "mesh/mesher/sample_images.hpp"
#include "meshjobs/messages/json.hpp"
#include "progress_view.hpp"

namespace meshjobs::tools {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> images_in(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> out;
  for (auto& file : mesh::image_files_in(dir.string(), ec))
    out.emplace_back(std::move(file));
  if (ec)
    throw std::runtime_error("--images " + dir.string() + ": cannot be read: " + ec.message());
  return out;
}

void write_samples(const fs::path& dir, int count, std::uint32_t size) {
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "sample-%03d.png", i + 1);
    const auto png = mesher::make_sample_png(size, size, static_cast<std::uint32_t>(i + 1));
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(png.data(), static_cast<std::streamsize>(png.size()));
  }
  std::printf("generated %d sample images of %ux%u in %s\n", count, size, size, dir.c_str());
}

bool ended(const std::string& status) { return status == mesh::status::completed || status == mesh::status::failed; }

constexpr const char* run_project = "make-run";

/// The batch this run watches: the one an earlier run left processing (it resumes on its own
/// once the node is up), or a new one of the images that have no ended mesh yet; 0 when every
/// image has one. `earlier` counts the images an earlier run had taken.
std::int64_t batch_for(mesh_pipeline& p, const std::vector<fs::path>& images, const std::string& parameters,
                       std::size_t& earlier) {
  std::vector<std::string> rest;
  for (const auto& image : images) {
    auto found = p.records().find_by_image(image.string());
    if (found)
      earlier += 1;
    if (!found || !ended(found->status))
      rest.push_back(image.string());
  }
  if (auto left = batch::batch_records(p.rt()).processing_of(run_project))
    return left->id;
  if (rest.empty())
    return 0;
  batch_args a;
  a.project = run_project;
  a.user = "local";
  a.images = std::move(rest);
  a.parameters = parameters;
  auto reply = create_batch(p, a);
  if (reply.status == enqueue_status::refused)
    throw std::runtime_error("the batch was refused: " + reply.error);
  return static_cast<std::int64_t>(reply.id);
}

std::string seconds(std::int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", static_cast<double>(ms) / 1000.0);
  return text;
}

std::string done_line(const mesh::mesh_record& m, const std::string& name) {
  char line[512];
  if (m.status == mesh::status::completed)
    std::snprintf(line, sizeof line, "done   %-20s %8lld tris  %s", name.c_str(), static_cast<long long>(m.triangle_count),
                  seconds(m.duration_ms).c_str());
  else
    std::snprintf(line, sizeof line, "FAILED %-20s %s", name.c_str(), m.error_message.c_str());
  return line;
}

void print_table(const std::vector<mesh::mesh_record>& meshes, const std::vector<std::string>& names) {
  std::printf("\n%-20s %-10s %9s %9s %8s  %s\n", "image", "status", "vertices", "triangles", "time", "outputs");
  for (std::size_t i = 0; i < meshes.size(); ++i) {
    const auto& m = meshes[i];
    auto path = [](const std::string& url) { return url.rfind("file://", 0) == 0 ? url.substr(7) : url; };
    std::string outputs = m.status == mesh::status::completed ? path(m.result_url) : m.error_message;
    if (!m.thumbnail_url.empty())
      outputs += "  " + path(m.thumbnail_url);
    std::printf("%-20s %-10s %9lld %9lld %8s  %s\n", names[i].c_str(), m.status.c_str(),
                static_cast<long long>(m.vertex_count), static_cast<long long>(m.triangle_count),
                seconds(m.duration_ms).c_str(), outputs.c_str());
  }
}

}  // namespace

int run_images(runtime& rt, mesh_pipeline& p, const image_run_options& o) {
  const fs::path dir = o.dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    spdlog::error("--images {}: cannot create it: {}", o.dir, ec.message());
    return 1;
  }
  auto images = images_in(dir);
  if (images.empty() && o.samples > 0) {
    write_samples(dir, o.samples, o.sample_size);
    images = images_in(dir);
  }
  if (images.empty()) {
    spdlog::error("--images {}: no PNG, JPEG, BMP or PGM image in it (give --samples N to generate some)", o.dir);
    return 1;
  }
  const auto started = std::chrono::steady_clock::now();
  std::size_t earlier = 0;
  std::vector<bool> ended_earlier;
  for (const auto& image : images) {
    auto found = p.records().find_by_image(image.string());
    ended_earlier.push_back(found && ended(found->status));
  }
  const auto batch_id = batch_for(p, images, o.parameters, earlier);
  std::printf("%zu images in %s: %zu new, %zu from an earlier run\n", images.size(), dir.c_str(),
              images.size() - earlier, earlier);

  // Row 0 is the batch; row 1 + i is image i. An image's mesh is the newest of its image,
  // known once the batch has made it (its setup runs on the node, after this point).
  std::vector<std::string> names{batch_id != 0 ? "batch " + std::to_string(batch_id) : "batch"};
  for (const auto& image : images)
    names.push_back(image.filename().string());
  progress_view view(names, ::isatty(STDOUT_FILENO) != 0);
  std::vector<std::optional<mesh::mesh_record>> meshes(images.size());
  std::vector<std::uint64_t> subscriptions;
  std::mutex subscribing;
  if (batch_id != 0)
    subscriptions.push_back(rt.subscribe("batch_progress_" + std::to_string(batch_id),
                                         [&view](const std::string&, const std::string& payload) {
      auto parsed = json::object::parse(payload, "progress");
      if (auto* event = std::get_if<json::object>(&parsed))
        view.update(0, static_cast<std::int32_t>(event->get_int("progress").value_or(0)),
                    std::to_string(event->get_int("completed").value_or(0)) + " completed, " +
                      std::to_string(event->get_int("failed").value_or(0)) + " failed of " +
                      std::to_string(event->get_int("total").value_or(0)),
                    event->get_string("status").value_or(""));
    }));
  else
    view.finish(0, "batch: nothing left to do");
  // Each image's mesh as the store has it now; a mesh first seen gets its progress channel,
  // one that ended its line.
  auto refresh = [&] {
    for (std::size_t i = 0; i < images.size(); ++i) {
      if (meshes[i] && ended(meshes[i]->status))
        continue;
      auto now = p.records().find_by_image(images[i].string());
      if (!now)
        continue;
      const bool first_seen = !meshes[i] || meshes[i]->id != now->id;
      meshes[i] = now;
      if (ended(now->status)) {
        view.finish(i + 1, done_line(*now, names[i + 1]) + (ended_earlier[i] ? "  (earlier run)" : ""));
      } else if (first_seen) {
        std::lock_guard<std::mutex> lock(subscribing);
        subscriptions.push_back(rt.subscribe("mesh:" + std::to_string(now->id),
                                             [&view, i](const std::string&, const std::string& payload) {
          auto parsed = json::object::parse(payload, "progress");
          if (auto* event = std::get_if<json::object>(&parsed))
            view.update(i + 1, static_cast<std::int32_t>(event->get_int("progress").value_or(0)),
                        event->get_string("message").value_or(""), event->get_string("status").value_or(""));
        }));
      }
    }
  };
  std::atomic<bool> finished{false};
  std::thread drawer([&] {
    while (!finished) {
      view.draw();
      refresh();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a screen refresh, not a wait
    }
  });
  const bool drained = rt.drain(o.timeout);
  finished = true;
  drawer.join();
  refresh();
  if (batch_id != 0) {
    if (auto b = batch::batch_records(p.rt()).find(batch_id))
      view.finish(0, "batch " + std::to_string(batch_id) + " " + b->status + ": " + std::to_string(b->completed) +
                       " completed, " + std::to_string(b->failed) + " failed of " + std::to_string(b->total));
  }
  for (auto s : subscriptions)
    rt.unsubscribe(s);
  view.close();
  std::vector<mesh::mesh_record> table;
  std::vector<std::string> table_names;
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (auto now = p.records().find_by_image(images[i].string())) {
      table.push_back(*now);
      table_names.push_back(names[i + 1]);
    }
  }
  print_table(table, table_names);
  const auto completed = std::count_if(table.begin(), table.end(),
                                       [](const auto& m) { return m.status == mesh::status::completed; });
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("\n%lld of %zu meshes completed in %.2f s%s\n", static_cast<long long>(completed), images.size(), took,
              drained ? "" : " (timed out waiting for the rest)");
  return completed == static_cast<long long>(images.size()) ? 0 : 1;
}

}  // namespace meshjobs::tools
