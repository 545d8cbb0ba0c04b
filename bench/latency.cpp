// Enqueue -> start latency on an idle node: jobs are enqueued one at a time, a few ms apart,
// each carrying its enqueue time; the handler records when it starts.
//   latency                             the matrix: memory and sqlite, stealing and sharing
//   latency --store S --policy P --jobs N --gap-ms G
// The last line of a single configuration: RESULT p50_ms=<x> p99_ms=<y> p999_ms=<z>
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "bench_util.hpp"
#include "meshjobs/messages/json.hpp"
#include "meshjobs/runtime.hpp"

using namespace meshjobs;

namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

std::vector<double> run(store_backend backend, scheduler_policy policy, int jobs, int gap_ms) {
  config cfg;
  cfg.concurrency = 10;
  cfg.queues = {{"default", 1}};
  cfg.store.backend = backend;
  cfg.store.path = bench::fresh_db_path("latency");
  cfg.node.scheduler = policy;
  std::vector<double> latencies_ms;
  {
    std::mutex mutex;
    latencies_ms.reserve(static_cast<std::size_t>(jobs));
    runtime rt{cfg};
    job_type probe;
    probe.kind = "probe";
    probe.blocking = false;
    probe.perform = [&](job_context& ctx) {
      auto started = steady_ns();
      auto args = std::get<json::object>(json::object::parse(ctx.args()));
      auto enqueued = args.get_int("t").value_or(started);
      std::lock_guard<std::mutex> guard{mutex};
      latencies_ms.push_back(static_cast<double>(started - enqueued) / 1e6);
    };
    rt.register_type(std::move(probe));
    rt.start();
    for (int i = 0; i < jobs; ++i) {
      rt.enqueue("probe", "{\"t\":" + std::to_string(steady_ns()) + "}");
      std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));  // pacing, not synchronisation
    }
    rt.drain(std::chrono::minutes(1));
    rt.stop();
  }
  bench::remove_db(cfg.store.path);
  std::sort(latencies_ms.begin(), latencies_ms.end());
  return latencies_ms;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshjobs enqueue -> start latency on an idle node"};
  std::string store, policy;
  int jobs = 2000, gap_ms = 2;
  app.add_option("--store", store, "memory or sqlite (default: both)")->check(CLI::IsMember({"memory", "sqlite"}));
  app.add_option("--policy", policy, "CAF scheduler: stealing or sharing (default: both)")
    ->check(CLI::IsMember({"stealing", "sharing"}));
  app.add_option("--jobs", jobs, "jobs, enqueued one at a time");
  app.add_option("--gap-ms", gap_ms, "milliseconds between two enqueues");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  std::vector<std::string> stores = store.empty() ? std::vector<std::string>{"memory", "sqlite"}
                                                  : std::vector<std::string>{store};
  std::vector<std::string> policies = policy.empty() ? std::vector<std::string>{"stealing", "sharing"}
                                                     : std::vector<std::string>{policy};
  std::printf("%-8s %-9s %6s %9s %9s %9s %9s\n", "store", "policy", "jobs", "p50 ms", "p99 ms", "p999 ms",
              "max ms");
  std::vector<double> last;
  for (const auto& s : stores) {
    for (const auto& p : policies) {
      last = run(s == "memory" ? store_backend::memory : store_backend::sqlite,
                 p == "sharing" ? scheduler_policy::sharing : scheduler_policy::stealing, jobs, gap_ms);
      std::printf("%-8s %-9s %6zu %9.3f %9.3f %9.3f %9.3f\n", s.c_str(), p.c_str(), last.size(),
                  bench::quantile(last, 0.5), bench::quantile(last, 0.99), bench::quantile(last, 0.999),
                  last.empty() ? 0.0 : last.back());
      std::fflush(stdout);
    }
  }
  if (stores.size() == 1 && policies.size() == 1)
    std::printf("RESULT p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f\n", bench::quantile(last, 0.5),
                bench::quantile(last, 0.99), bench::quantile(last, 0.999));
  return 0;
}
