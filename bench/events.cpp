// The event stream's cost: no-op job throughput with no event subscriber and with one that
// takes every event (it counts them), measured as bench/throughput measures (fill a paused
// queue, resume, time the drain). Medians of --runs.
//   events [--jobs N] [--runs R] [--concurrency C] [--buffer B]
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "bench_util.hpp"
#include "meshjobs/runtime.hpp"

using namespace meshjobs;

namespace {

struct result {
  double jobs_per_s = 0;
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;
};

result run_once(bool subscribed, int concurrency, int jobs, std::size_t buffer) {
  config cfg;
  cfg.concurrency = concurrency;
  cfg.queues = {{"default", 1}};
  cfg.node.max_pending = jobs + 1000;
  result r;
  std::atomic<std::uint64_t> delivered{0};
  runtime rt{cfg};
  rt.register_type(bench::noop_type());
  rt.start();
  if (subscribed)
    rt.subscribe_events([&delivered](const job_event&) { delivered.fetch_add(1, std::memory_order_relaxed); },
                        buffer);
  rt.pause("default");
  bench::enqueue_in_batches(rt, "noop", jobs);
  auto t0 = std::chrono::steady_clock::now();
  rt.resume("default");
  if (!rt.drain(std::chrono::minutes(10)))
    throw std::runtime_error("did not drain within 10 minutes");
  auto t1 = std::chrono::steady_clock::now();
  for (const auto& s : rt.stats().subscribers)
    if (s.name.rfind("events#", 0) == 0)
      r.dropped = s.dropped;
  rt.stop();  // the subscriber gets what was buffered
  r.jobs_per_s = jobs / std::chrono::duration<double>(t1 - t0).count();
  r.delivered = delivered.load();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshjobs: throughput with and without an event subscriber"};
  int jobs = 100000, runs = 3, concurrency = 10;
  std::size_t buffer = 65536;
  app.add_option("--jobs", jobs, "jobs per run");
  app.add_option("--runs", runs, "runs per configuration (the median is reported)");
  app.add_option("--concurrency", concurrency, "executions at once");
  app.add_option("--buffer", buffer, "the subscriber's buffer, in events");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  std::printf("%-12s %8s %12s %12s %12s %s\n", "subscriber", "jobs", "jobs/s", "delivered", "dropped",
              "runs (jobs/s)");
  for (bool subscribed : {false, true}) {
    std::vector<double> rates;
    std::string each;
    result last;
    for (int i = 0; i < runs; ++i) {
      last = run_once(subscribed, concurrency, jobs, buffer);
      rates.push_back(last.jobs_per_s);
      each += (each.empty() ? "" : " ") + std::to_string(static_cast<long>(last.jobs_per_s));
    }
    std::printf("%-12s %8d %12.0f %12llu %12llu %s\n", subscribed ? "one" : "none", jobs,
                bench::median(rates), static_cast<unsigned long long>(last.delivered),
                static_cast<unsigned long long>(last.dropped), each.c_str());
    std::fflush(stdout);
  }
  return 0;
}
