// "A type whose every handler hangs cannot slow another type": the throughput of a blocking
// no-op type alone, while 10 handlers of another type hang inside their timeout (holding 10
// slots and 10 pool threads), and while 10 hang past it (their threads written off and
// replaced). Same method as bench/throughput; medians of --runs.
//   hung_type [--jobs N] [--runs R]
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "bench_util.hpp"
#include "meshjobs/runtime.hpp"

using namespace meshjobs;
using namespace std::chrono_literals;

namespace {

constexpr int hung_handlers = 10;

/// What the hung handlers wait for: released only when the run is over.
struct never {
  std::mutex mutex;
  std::condition_variable released;
  bool open = false;
  void wait() {
    std::unique_lock<std::mutex> guard{mutex};
    released.wait(guard, [this] { return open; });
  }
  void release() {
    {
      std::lock_guard<std::mutex> guard{mutex};
      open = true;
    }
    released.notify_all();
  }
};

enum class scenario { alone, hung_within_timeout, hung_past_timeout };

const char* name_of(scenario s) {
  switch (s) {
    case scenario::alone:
      return "alone";
    case scenario::hung_within_timeout:
      return "10 hung, in their timeout";
    case scenario::hung_past_timeout:
      return "10 hung, written off";
  }
  return "?";
}

bool wait_until(runtime& rt, const std::function<bool(const runtime_stats&)>& holds) {
  auto give_up = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < give_up) {
    if (holds(rt.stats()))
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

double run_once(scenario s, int jobs) {
  // The working type has 20 slots (and so 20 pool threads) in every scenario; the hung type's
  // 10 come on top, so that what is compared is only whether the hung handlers get in the way.
  config cfg;
  cfg.concurrency = 20 + hung_handlers;
  cfg.timeout_s = s == scenario::hung_past_timeout ? 1 : 600;
  cfg.queues = {{"default", 1}};
  cfg.node.max_pending = jobs + 1000;
  auto stuck = std::make_shared<never>();
  double rate = 0;
  {
    runtime rt{cfg};
    job_type work;
    work.kind = "work";
    work.perform = [](job_context&) {};  // blocking: it runs on the pool, as the hung ones do
    work.concurrency = 20;
    rt.register_type(std::move(work));
    job_type hang;
    hang.kind = "hang";
    hang.concurrency = hung_handlers;
    hang.perform = [stuck](job_context&) { stuck->wait(); };  // ignores cancelled()
    hang.retry.discard_on("timeout");
    rt.register_type(std::move(hang));
    rt.start();
    if (s != scenario::alone) {
      for (int i = 0; i < hung_handlers; ++i)
        rt.enqueue("hang", "{}");
      auto ok = s == scenario::hung_within_timeout
                  ? wait_until(rt, [](const runtime_stats& st) { return st.running == hung_handlers; })
                  : wait_until(rt, [](const runtime_stats& st) { return st.pool_written_off == hung_handlers; });
      if (!ok)
        throw std::runtime_error("the hung handlers did not settle");
    }
    rt.pause("default");
    bench::enqueue_in_batches(rt, "work", jobs);
    auto t0 = std::chrono::steady_clock::now();
    rt.resume("default");
    if (!wait_until(rt, [&](const runtime_stats& st) {
          for (const auto& t : st.types)
            if (t.kind == "work")
              return t.succeeded == static_cast<std::uint64_t>(jobs);
          return false;
        }))
      throw std::runtime_error("the work type did not finish");
    rate = jobs / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stuck->release();
    rt.stop();
  }
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshjobs: another type's throughput while one type's handlers all hang"};
  int jobs = 100000, runs = 3;
  app.add_option("--jobs", jobs, "jobs of the working type per run");
  app.add_option("--runs", runs, "runs per scenario (the median is reported)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::err);

  std::printf("%-28s %8s %12s %s\n", "scenario", "jobs", "jobs/s", "runs (jobs/s)");
  for (auto s : {scenario::alone, scenario::hung_within_timeout, scenario::hung_past_timeout}) {
    std::vector<double> rates;
    std::string each;
    for (int i = 0; i < runs; ++i) {
      rates.push_back(run_once(s, jobs));
      each += (each.empty() ? "" : " ") + std::to_string(static_cast<long>(rates.back()));
    }
    std::printf("%-28s %8d %12.0f %s\n", name_of(s), jobs, bench::median(rates), each.c_str());
    std::fflush(stdout);
  }
  return 0;
}
