#include "demo.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

namespace meshjobs::tools {
namespace {

void print_stats(const runtime_stats& s) {
  std::printf("\n%-18s %8s %8s %8s %7s\n", "queue", "weight", "limit", "waiting", "paused");
  for (const auto& q : s.queues)
    std::printf("%-18s %8d %8d %8llu %7s\n", q.name.c_str(), q.weight, q.limit,
                static_cast<unsigned long long>(q.size), q.paused ? "yes" : "no");
  std::printf("\n%-18s %10s %8s\n", "job type", "succeeded", "failed");
  for (const auto& t : s.types)
    std::printf("%-18s %10llu %8llu\n", t.kind.c_str(), static_cast<unsigned long long>(t.succeeded),
                static_cast<unsigned long long>(t.failed));
  std::printf("\nexecutions %llu, failed %llu, dead %llu, still scheduled %llu\n\n",
              static_cast<unsigned long long>(s.processed), static_cast<unsigned long long>(s.failed),
              static_cast<unsigned long long>(s.dead), static_cast<unsigned long long>(s.scheduled));
}

}  // namespace

int run_demo(runtime& rt) {
  using namespace std::chrono_literals;
  const auto& queues = rt.cfg().queues;
  std::vector<enqueue_request> batch;
  for (int i = 0; i < 10000; ++i) {
    enqueue_request r;
    r.kind = "demo.noop";
    r.queue = queues[static_cast<std::size_t>(i) % queues.size()].name;
    batch.push_back(std::move(r));
  }
  auto started = std::chrono::steady_clock::now();
  rt.enqueue_many(std::move(batch));
  for (int i = 0; i < 3; ++i)
    rt.enqueue("demo.flaky", R"({"succeed_on":3})");
  rt.enqueue("demo.fail", "{}");
  enqueue_request in_a_second;
  in_a_second.kind = "demo.noop";
  in_a_second.wait_us = 1000000;  // 1 s
  rt.enqueue(in_a_second);
  rt.enqueue("demo.sleep", R"({"ms":50})");
  spdlog::info("demo: enqueued 10,000 no-op jobs across {} queues, 3 flaky jobs (retried until "
               "their 3rd attempt), 1 job that always fails (dead after 3), 1 scheduled in 1 s",
               queues.size());
  if (!rt.drain(60s)) {
    spdlog::error("demo: the workload did not finish within 60 s");
    print_stats(rt.stats());
    rt.stop();
    return 1;
  }
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto stats = rt.stats();
  print_stats(stats);
  for (const auto& j : rt.jobs(job_state::dead, 10))
    spdlog::info("dead set: job {} ({}) after {} attempts: {}: {}", j.id, j.kind, j.attempt,
                 j.last_error.kind, j.last_error.message);
  spdlog::info("demo: done in {:.2f} s; stopping", took);
  rt.stop();
  return 0;
}

}  // namespace meshjobs::tools
