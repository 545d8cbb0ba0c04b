// No-op job throughput: N jobs are enqueued while their queue is paused, then the queue is
// resumed and the time until the last one finished gives jobs/s (the same method the Sidekiq
// side of bench/compare-sidekiq uses: fill, start the workers, time the drain).
//   throughput                          the matrix: memory and sqlite, concurrency 10 and 25
//   throughput --store S --concurrency C --jobs N --runs R
// The last line of a single configuration: RESULT jobs_per_s=<median> peak_rss_mb=<peak>
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

#include "bench_util.hpp"
#include "meshjobs/runtime.hpp"

using namespace meshjobs;

namespace {

struct result {
  double jobs_per_s;
  double enqueue_per_s;
};

scheduler_policy policy = scheduler_policy::sharing;
int threads = 0;
std::int64_t finished_max_jobs = store_config{}.finished_max_jobs;

result run_once(store_backend backend, int concurrency, int jobs) {
  config cfg;
  cfg.node.scheduler = policy;
  cfg.node.scheduler_threads = threads;
  cfg.concurrency = concurrency;
  cfg.queues = {{"default", 1}};
  cfg.store.backend = backend;
  cfg.store.path = bench::fresh_db_path("throughput");
  cfg.store.finished_max_jobs = finished_max_jobs;
  cfg.node.max_pending = jobs + 1000;
  result r{};
  {
    runtime rt{cfg};
    rt.register_type(bench::noop_type());
    rt.start();
    rt.pause("default");
    auto t0 = std::chrono::steady_clock::now();
    bench::enqueue_in_batches(rt, "noop", jobs);
    auto t1 = std::chrono::steady_clock::now();
    rt.resume("default");
    if (!rt.drain(std::chrono::minutes(10)))
      throw std::runtime_error("did not drain within 10 minutes");
    auto t2 = std::chrono::steady_clock::now();
    auto processed = rt.stats().processed;
    if (processed != static_cast<std::uint64_t>(jobs))
      throw std::runtime_error("processed " + std::to_string(processed) + " of " + std::to_string(jobs));
    rt.stop();
    r.enqueue_per_s = jobs / std::chrono::duration<double>(t1 - t0).count();
    r.jobs_per_s = jobs / std::chrono::duration<double>(t2 - t1).count();
  }
  bench::remove_db(cfg.store.path);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshjobs no-op throughput"};
  std::string store;
  int concurrency = 0, jobs = 100000, runs = 3;
  app.add_option("--store", store, "memory or sqlite (default: both)")->check(CLI::IsMember({"memory", "sqlite"}));
  app.add_option("--concurrency", concurrency, "executions at once (default: 10 and 25)");
  app.add_option("--jobs", jobs, "jobs per run");
  app.add_option("--runs", runs, "runs per configuration (the median is reported)");
  std::string policy_name = "sharing";
  app.add_option("--policy", policy_name, "CAF scheduler policy")->check(CLI::IsMember({"stealing", "sharing"}));
  app.add_option("--threads", threads, "CAF scheduler threads (0: one per core)");
  app.add_option("--finished-max-jobs", finished_max_jobs,
                 "finished jobs kept (store.finished_max_jobs; default 10000, 0: none)")
    ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  policy = policy_name == "sharing" ? scheduler_policy::sharing : scheduler_policy::stealing;

  std::vector<std::string> stores = store.empty() ? std::vector<std::string>{"memory", "sqlite"}
                                                  : std::vector<std::string>{store};
  std::vector<int> concurrencies = concurrency == 0 ? std::vector<int>{10, 25} : std::vector<int>{concurrency};
  std::printf("%-8s %11s %8s %14s %14s %s\n", "store", "concurrency", "jobs", "jobs/s", "enqueue/s",
              "runs (jobs/s)");
  double last_median = 0;
  for (const auto& s : stores) {
    for (int c : concurrencies) {
      std::vector<double> rates, enqueue_rates;
      std::string each;
      for (int i = 0; i < runs; ++i) {
        auto r = run_once(s == "memory" ? store_backend::memory : store_backend::sqlite, c, jobs);
        rates.push_back(r.jobs_per_s);
        enqueue_rates.push_back(r.enqueue_per_s);
        each += (each.empty() ? "" : " ") + std::to_string(static_cast<long>(r.jobs_per_s));
      }
      last_median = bench::median(rates);
      std::printf("%-8s %11d %8d %14.0f %14.0f %s\n", s.c_str(), c, jobs, last_median,
                  bench::median(enqueue_rates), each.c_str());
      std::fflush(stdout);
    }
  }
  std::printf("peak RSS %.1f MB\n", bench::peak_rss() / 1048576.0);
  if (stores.size() == 1 && concurrencies.size() == 1)
    std::printf("RESULT jobs_per_s=%.0f peak_rss_mb=%.1f\n", last_median, bench::peak_rss() / 1048576.0);
  return 0;
}
