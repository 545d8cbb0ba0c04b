// mesh.batch_generation with no-op children on a node with the mesh pipeline and its SQLite
// store: how long a batch of N images takes from enqueue to its job's end, how much the
// process grew (peak RSS), and how many progress events a second its channel carried.
//   batch [--images 10000] [--concurrency 5] [--runs 3] [--store sqlite|memory]
// Each run is a new batch (another project); the last line holds the medians:
//   batch images=N concurrency=C seconds=S images_per_second=R peak_rss_growth_mb=M events_per_second=E
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "bench_util.hpp"
#include "mesh/batch_generation.hpp"
#include "mesh/batch_record.hpp"
#include "mesh_pipeline.hpp"
#include "meshjobs/config/loader.hpp"

namespace {

using namespace meshjobs;
using clock_type = std::chrono::steady_clock;

/// A batch's children: nothing to do; their outcomes end their images.
job_type noop_child() {
  job_type t;
  t.kind = "bench.noop_child";
  t.blocking = false;
  t.perform = [](job_context&) {};
  t.outcome_records = batch_child_records;
  return t;
}

/// Waits for the batch's job to end (its observer hears the outcome).
class batch_end : public observer {
 public:
  void on_finished(const job& j, const job_outcome&, std::int64_t) override {
    if (j.kind != "mesh.batch_generation")
      return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ended_ += 1;
    }
    changed_.notify_all();
  }
  void wait(int n) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return ended_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int ended_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"batch: one batch of no-op children from enqueue to end; peak memory; progress events/s"};
  int images = 10000, concurrency = 5, runs = 3;
  std::string store = "sqlite";
  app.add_option("--images", images)->check(CLI::NonNegativeNumber);
  app.add_option("--concurrency", concurrency)->check(CLI::Range(1, 1000));
  app.add_option("--runs", runs)->check(CLI::PositiveNumber);
  app.add_option("--store", store)->check(CLI::IsMember({"sqlite", "memory"}));
  CLI11_PARSE(app, argc, argv);

  const auto dir = std::filesystem::temp_directory_path() / ("bench-batch-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto cfg = default_config();
  cfg.schedule.clear();
  cfg.notifications.log = false;
  cfg.store.backend = store == "sqlite" ? store_backend::sqlite : store_backend::memory;
  cfg.store.path = (dir / "meshjobs.db").string();
  cfg.storage.root = dir.string();
  cfg.batch.concurrency = concurrency;
  cfg.node.max_pending = 50000000;
  spdlog::set_level(spdlog::level::warn);

  std::vector<double> seconds, growth, rates;
  {
    runtime rt{cfg};
    auto pipeline = register_mesh_pipeline(rt);
    rt.register_type(noop_child());
    auto ends = std::make_shared<batch_end>();
    rt.add_observer(ends);
    rt.start();
    std::printf("%-4s %10s %12s %10s %14s %12s %10s\n", "run", "images", "concurrency", "seconds", "images/s",
                "rss+ MB", "events/s");
    for (int run = 0; run < runs; ++run) {
      batch_args a;
      a.project = "bench-" + std::to_string(run);
      a.user = "bench";
      a.child_kind = "bench.noop_child";
      for (int i = 0; i < images; ++i)
        a.images.push_back("/images/" + std::to_string(i) + ".png");
      rt.pause("batch_processing");
      auto reply = create_batch(*pipeline, a);
      std::atomic<int> events{0};
      auto channel = rt.subscribe("batch_progress_" + std::to_string(reply.id),
                                  [&events](const std::string&, const std::string&) { events += 1; });
      a.images.clear();
      a.images.shrink_to_fit();
      const auto rss_before = bench::peak_rss();
      const auto started = clock_type::now();
      rt.resume("batch_processing");
      ends->wait(run + 1);
      const double took = std::chrono::duration<double>(clock_type::now() - started).count();
      rt.drain(std::chrono::seconds(60));
      rt.unsubscribe(channel);
      auto b = batch::batch_records(rt).find(static_cast<std::int64_t>(reply.id));
      if (!b || b->completed != images) {
        std::fprintf(stderr, "batch %llu: %lld of %d images completed\n", static_cast<unsigned long long>(reply.id),
                     b ? static_cast<long long>(b->completed) : -1LL, images);
        return 1;
      }
      const double mb = static_cast<double>(bench::peak_rss() - rss_before) / (1 << 20);
      const double per_second = took > 0 ? events.load() / took : 0;
      std::printf("%-4d %10d %12d %10.3f %14.0f %12.1f %10.1f\n", run + 1, images, concurrency, took,
                  images / std::max(took, 1e-9), mb, per_second);
      seconds.push_back(took);
      growth.push_back(mb);
      rates.push_back(per_second);
    }
    rt.stop();
  }
  std::filesystem::remove_all(dir);
  const double s = bench::median(seconds);
  std::printf("batch images=%d concurrency=%d seconds=%.3f images_per_second=%.0f peak_rss_growth_mb=%.1f "
              "events_per_second=%.1f\n",
              images, concurrency, s, images / std::max(s, 1e-9), bench::median(growth), bench::median(rates));
  return 0;
}
