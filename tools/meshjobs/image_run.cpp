#include "image_run.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <variant>

#include "mesh/mesher/sample_images.hpp"
#include "meshjobs/messages/json.hpp"
#include "progress_view.hpp"

namespace meshjobs::tools {
namespace {

namespace fs = std::filesystem;

bool is_image(const fs::path& p) {
  static const std::set<std::string> known{".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm"};
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return known.count(ext) > 0;
}

std::vector<fs::path> images_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && is_image(e.path()))
      out.push_back(fs::absolute(e.path()));
  std::sort(out.begin(), out.end());
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

/// The mesh of each image: the one the store has, or a new one. A mesh whose job never reached
/// the store (a crash between the two writes) gets it now; its idempotency key makes that safe.
std::vector<mesh::mesh_record> meshes_for(mesh_pipeline& p, const std::vector<fs::path>& images,
                                          const std::string& parameters, std::size_t& resumed) {
  std::vector<mesh::mesh_record> out;
  for (const auto& image : images) {
    auto found = p.records().find_by_image(image.string());
    if (!found) {
      out.push_back(p.create_mesh({"make-run", "local", image.string(), parameters}));
      continue;
    }
    resumed += 1;
    if (!ended(found->status) && (found->generation_job == 0 || !p.rt().find(found->generation_job)))
      found->generation_job = p.enqueue_generation(*found).id;
    out.push_back(std::move(*found));
  }
  return out;
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
  std::size_t resumed = 0;
  auto meshes = meshes_for(p, images, o.parameters, resumed);
  std::vector<std::string> names;
  for (const auto& image : images)
    names.push_back(image.filename().string());
  std::printf("%zu images in %s: %zu new, %zu from an earlier run\n", images.size(), dir.c_str(),
              images.size() - resumed, resumed);

  progress_view view(names, ::isatty(STDOUT_FILENO) != 0);
  std::vector<std::uint64_t> subscriptions;
  for (std::size_t i = 0; i < meshes.size(); ++i) {
    if (ended(meshes[i].status)) {
      view.finish(i, done_line(meshes[i], names[i]) + "  (earlier run)");
      continue;
    }
    subscriptions.push_back(rt.subscribe("mesh:" + std::to_string(meshes[i].id),
                                         [&view, i](const std::string&, const std::string& payload) {
      auto parsed = json::object::parse(payload, "progress");
      if (auto* event = std::get_if<json::object>(&parsed))
        view.update(i, static_cast<std::int32_t>(event->get_int("progress").value_or(0)),
                    event->get_string("message").value_or(""), event->get_string("status").value_or(""));
    }));
  }
  // The bars are redrawn from here; the meshes' ends are read from their records.
  auto report_ends = [&] {
    for (std::size_t i = 0; i < meshes.size(); ++i) {
      if (ended(meshes[i].status))
        continue;
      if (auto now = p.records().find(meshes[i].id); now && ended(now->status)) {
        meshes[i] = *now;
        view.finish(i, done_line(meshes[i], names[i]));
      }
    }
  };
  std::atomic<bool> finished{false};
  std::thread drawer([&] {
    while (!finished) {
      view.draw();
      report_ends();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a screen refresh, not a wait
    }
  });
  const bool drained = rt.drain(o.timeout);
  finished = true;
  drawer.join();
  report_ends();
  for (auto s : subscriptions)
    rt.unsubscribe(s);
  view.close();
  for (auto& m : meshes)
    if (auto now = p.records().find(m.id))
      m = *now;
  print_table(meshes, names);
  const auto completed = std::count_if(meshes.begin(), meshes.end(),
                                       [](const auto& m) { return m.status == mesh::status::completed; });
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("\n%lld of %zu meshes completed in %.2f s%s\n", static_cast<long long>(completed), meshes.size(), took,
              drained ? "" : " (timed out waiting for the rest)");
  return completed == static_cast<long long>(meshes.size()) ? 0 : 1;
}

}  // namespace meshjobs::tools
