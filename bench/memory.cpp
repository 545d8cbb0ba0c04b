// Memory per queued job: RSS growth while 1,000,000 no-op jobs wait in a paused queue.
//   memory [--jobs N] [--store memory|sqlite]
// The last line: RESULT bytes_per_job=<x>
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "bench_util.hpp"
#include "meshjobs/runtime.hpp"

using namespace meshjobs;

int main(int argc, char** argv) {
  CLI::App app{"meshjobs memory per queued job"};
  int jobs = 1000000;
  std::string store = "memory";
  app.add_option("--jobs", jobs, "jobs to queue");
  app.add_option("--store", store, "memory or sqlite")->check(CLI::IsMember({"memory", "sqlite"}));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  config cfg;
  cfg.queues = {{"default", 1}};
  cfg.store.backend = store == "memory" ? store_backend::memory : store_backend::sqlite;
  cfg.store.path = bench::fresh_db_path("memory");
  cfg.node.max_pending = jobs + 1000;
  double bytes_per_job = 0;
  {
    runtime rt{cfg};
    rt.register_type(bench::noop_type());
    rt.start();
    rt.pause("default");
    // Warm up allocator and actor paths so that their one-time costs are not counted per job.
    enqueue_request noop_request;
    noop_request.kind = "noop";
    rt.enqueue_many(std::vector<enqueue_request>(1000, noop_request));
    auto before = bench::current_rss();
    constexpr int batch_size = 10000;
    for (int done = 0; done < jobs; done += batch_size) {
      rt.enqueue_many(std::vector<enqueue_request>(static_cast<std::size_t>(std::min(batch_size, jobs - done)),
                                                   noop_request));
    }
    auto after = bench::current_rss();
    bytes_per_job = static_cast<double>(after - before) / jobs;
    std::printf("%-8s %10s %14s %14s %14s\n", "store", "jobs", "rss before MB", "rss after MB", "bytes/job");
    std::printf("%-8s %10d %14.1f %14.1f %14.1f\n", store.c_str(), jobs, before / 1048576.0,
                after / 1048576.0, bytes_per_job);
    rt.stop();
  }
  bench::remove_db(cfg.store.path);
  std::printf("RESULT bytes_per_job=%.1f\n", bytes_per_job);
  return 0;
}
