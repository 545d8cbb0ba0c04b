// Asynchronous jobs that wait: N jobs, each ending on a timer, all running at once (type
// concurrency N, outside the node's concurrency). Measures enqueue-to-drained wall time, the
// threads the process used and its RSS.
//   async [--jobs 100000] [--wait-ms 100] [--runs 3]
// The last line: RESULT seconds=<median> threads=<max> peak_rss_mb=<x>
#include <CLI/CLI.hpp>
#include <dirent.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench_util.hpp"
#include "meshjobs/runtime.hpp"

using namespace meshjobs;

namespace {

int thread_count() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (const dirent* e = readdir(d))
      n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

/// Samples the process's thread count and RSS every few milliseconds while it lives.
class sampler {
 public:
  sampler() : thread_([this] { loop(); }) {}
  ~sampler() {
    stop_ = true;
    thread_.join();
  }
  int max_threads() const { return max_threads_; }
  std::int64_t max_rss() const { return max_rss_; }

 private:
  void loop() {
    while (!stop_) {
      max_threads_ = std::max(max_threads_.load(), thread_count() - 1);  // not this sampler
      max_rss_ = std::max(max_rss_.load(), bench::current_rss());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> max_threads_{0};
  std::atomic<std::int64_t> max_rss_{0};
  std::thread thread_;
};

struct run_result {
  double seconds = 0;
  int threads = 0;
  std::int64_t rss = 0;
  bool drained = false;
};

run_result run_once(int jobs, int wait_ms) {
  config cfg;
  cfg.queues = {{"default", 1}};
  cfg.concurrency = 2;  // the worker pool: unused by asynchronous jobs
  cfg.timeout_s = 60;
  cfg.node.max_pending = jobs + 1000;
  runtime rt{cfg};
  job_type wait;
  wait.kind = "bench.wait";
  wait.concurrency = jobs;
  wait.counts_against_concurrency = false;
  wait.start = [wait_ms](async_context& ctx) {
    ctx.after(std::chrono::milliseconds(wait_ms), [&ctx] { ctx.done(); });
  };
  rt.register_type(std::move(wait));
  rt.start();

  run_result r;
  sampler sample;
  enqueue_request req;
  req.kind = "bench.wait";
  auto started = std::chrono::steady_clock::now();
  constexpr int batch_size = 10000;
  for (int sent = 0; sent < jobs; sent += batch_size)
    rt.enqueue_many(std::vector<enqueue_request>(static_cast<std::size_t>(std::min(batch_size, jobs - sent)), req));
  r.drained = rt.drain(std::chrono::seconds(60));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto stats = rt.stats();
  if (stats.processed != static_cast<std::uint64_t>(jobs))
    r.drained = false;
  r.threads = sample.max_threads();
  r.rss = sample.max_rss();
  rt.stop();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshjobs asynchronous jobs waiting on timers"};
  int jobs = 100000, wait_ms = 100, runs = 3;
  app.add_option("--jobs", jobs, "jobs, all running at once");
  app.add_option("--wait-ms", wait_ms, "each job's timer");
  app.add_option("--runs", runs, "runs; the median time is reported");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  std::vector<double> times;
  int threads = 0;
  std::int64_t rss = 0;
  std::printf("%4s %10s %8s %10s %8s %12s\n", "run", "jobs", "wait ms", "seconds", "threads", "max rss MB");
  for (int i = 0; i < runs; ++i) {
    auto r = run_once(jobs, wait_ms);
    if (!r.drained) {
      std::fprintf(stderr, "run %d: the jobs did not all finish within 60 s\n", i + 1);
      return 1;
    }
    times.push_back(r.seconds);
    threads = std::max(threads, r.threads);
    rss = std::max(rss, r.rss);
    std::printf("%4d %10d %8d %10.3f %8d %12.1f\n", i + 1, jobs, wait_ms, r.seconds, r.threads, r.rss / 1048576.0);
  }
  std::printf("RESULT seconds=%.3f threads=%d peak_rss_mb=%.1f\n", bench::median(times), threads,
              rss / 1048576.0);
  return 0;
}
