// Shared bits of the benchmarks: process memory, medians, percentiles, temp store paths, filling
// a queue.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "meshjobs/runtime.hpp"

namespace meshjobs::bench {

/// The no-op job type "noop" every throughput figure runs: non-blocking, on its execution actor.
inline job_type noop_type() {
  job_type noop;
  noop.kind = "noop";
  noop.blocking = false;
  noop.perform = [](job_context&) {};
  return noop;
}

/// Enqueues `jobs` jobs of `kind` with empty arguments, a thousand per enqueue_many.
inline void enqueue_in_batches(runtime& rt, const std::string& kind, int jobs) {
  constexpr int batch_size = 1000;
  for (int done = 0; done < jobs; done += batch_size) {
    std::vector<enqueue_request> batch(static_cast<std::size_t>(std::min(batch_size, jobs - done)));
    for (auto& req : batch)
      req.kind = kind;
    rt.enqueue_many(std::move(batch));
  }
}

/// Resident set size now, in bytes (from /proc/self/statm).
inline std::int64_t current_rss() {
  std::ifstream statm{"/proc/self/statm"};
  std::int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

/// The process's peak resident set size so far, in bytes.
inline std::int64_t peak_rss() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
}

inline double median(std::vector<double> xs) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto n = xs.size();
  return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

/// The q-quantile (0..1) of sorted values, nearest rank.
inline double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty())
    return 0;
  auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

/// A fresh sqlite path under /tmp, with its WAL companions removed.
inline std::string fresh_db_path(const std::string& name) {
  auto path = "/tmp/meshjobs-bench-" + std::to_string(getpid()) + "-" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((path + suffix).c_str());
  return path;
}

inline void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((path + suffix).c_str());
}

}  // namespace meshjobs::bench
