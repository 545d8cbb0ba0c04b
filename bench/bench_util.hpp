// Shared bits of the benchmarks: process memory, medians, percentiles, temp store paths.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace meshjobs::bench {

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
