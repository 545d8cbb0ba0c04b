// A node with the whole mesh pipeline on a SQLite store and a storage root in a temp dir, on a
// manual clock, with a recording observer: what the pipeline tests drive.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "mesh/mesher/sample_images.hpp"
#include "mesh_pipeline.hpp"
#include "process.hpp"
#include "runtime_fixture.hpp"

namespace meshjobs::testing_support {

using meshjobs::testing::read_file;
using meshjobs::testing::read_lines;
using meshjobs::testing::temp_dir;
using meshjobs::testing::write_file;

/// The seed's queues, and paths under `dir`.
inline config pipeline_config(const std::filesystem::path& dir) {
  auto cfg = test_config(4);
  cfg.queues = {{"critical", 10}, {"mesh_generation", 5}, {"batch_processing", 3}, {"default", 2}, {"low_priority", 1}};
  cfg.store.backend = store_backend::sqlite;
  cfg.store.path = (dir / "meshjobs.db").string();
  cfg.storage.root = dir.string();
  cfg.storage.thumbnail_size = 64;
  return cfg;
}

class pipeline_node {
 public:
  explicit pipeline_node(config c) : cfg(std::move(c)), clock(std::make_shared<manual_clock>(test_start())),
                                     events(std::make_shared<recording_observer>()) {}

  void start() {
    rt = std::make_unique<runtime>(cfg, clock);
    pipeline = register_mesh_pipeline(*rt);
    for (const auto& t : extra_types)
      rt->register_type(t);
    rt->add_observer(events);
    rt->start();
  }
  void stop() {
    if (rt)
      rt->stop();
    rt.reset();
    pipeline.reset();
  }
  ~pipeline_node() { stop(); }

  /// Jobs of `kind` the store knows, in any state.
  std::vector<job> jobs_of(const std::string& kind) {
    job_query q;
    q.kind = kind;
    return rt->query(q).jobs;
  }

  config cfg;
  std::vector<job_type> extra_types;  ///< registered beside the pipeline's, e.g. a batch's child kind
  std::shared_ptr<manual_clock> clock;
  std::shared_ptr<recording_observer> events;
  std::unique_ptr<runtime> rt;
  std::shared_ptr<mesh_pipeline> pipeline;
};

/// A sample image written as a PNG file; returns its path.
inline std::string sample_image(const temp_dir& dir, const std::string& name, std::uint32_t size = 64,
                                std::uint32_t seed = 1) {
  auto path = dir.file(name);
  write_file(path, mesher::make_sample_png(size, size, seed));
  return path;
}

}  // namespace meshjobs::testing_support
