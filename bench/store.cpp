// Store throughput and memory, per backend.
//
// Throughput: each job gets three writes in three different commits, as in the runtime
// (enqueue, start, end): step k puts batch k (enqueued), marks batch k-1 running and erases
// batch k-2, then commits; the clock stops when the last commit is durable. Like a
// coordinator whose clients wait for their acks, the producer keeps at most `window` commits
// unacknowledged (0: no limit, the producer runs ahead and commits pile up in memory).
// Memory: RSS growth of the process after putting N queued no-op jobs (committed every batch).
// Reopen: seconds to open a SQLite file holding N queued jobs (a restart's load).
// CPU: user + system time of the whole process (both threads for SQLite) per job, a figure
// that holds on a machine shared with other work, where wall-clock rates do not.
// Every run happens in a forked child so runs do not share a heap.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace meshjobs {
namespace {

struct bench_options {
  std::size_t jobs = 1'000'000;
  std::size_t batch = 500;
  std::size_t window = 2;
  int runs = 3;
  std::string dir = "/tmp";
  bool full_sync = false;
};

struct backend_case {
  const char* name;
  store_backend backend;
};

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  std::size_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

class scratch_store {
 public:
  scratch_store(const bench_options& options, store_backend backend) {
    path_ = options.dir + "/meshjobs-bench-" + std::to_string(getpid()) + ".db";
    remove_files();
    cfg_.backend = backend;
    cfg_.path = path_;
    cfg_.sync = options.full_sync ? store_sync::full : store_sync::normal;
    store_ = open_store(cfg_);
  }
  ~scratch_store() {
    store_.reset();
    remove_files();
  }
  store& get() { return *store_; }

  /// Closes the store and opens its file again; returns the seconds the opening took.
  double reopen() {
    store_.reset();
    auto start = std::chrono::steady_clock::now();
    store_ = open_store(cfg_);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

 private:
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::remove((path_ + suffix).c_str());
  }

  std::string path_;
  store_config cfg_;
  std::unique_ptr<store> store_;
};

job noop(job_id id, job_state state) {
  job j;
  j.id = id;
  j.kind = "noop";
  j.queue = "default";
  j.state = state;
  return j;
}

// Commits whose acknowledgements a producer can wait for. A failed write aborts the bench: a
// figure measured over failed commits would be meaningless.
class acked_commits {
 public:
  void commit(store& s) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++issued_;
    }
    s.commit([this](std::string error) { acknowledge(error); });
  }

  /// Blocks while more than `window` commits are unacknowledged (0: never).
  void wait_below(std::size_t window) {
    if (window == 0)
      return;
    std::unique_lock<std::mutex> lock(mutex_);
    acked_.wait(lock, [&] { return issued_ - done_ <= window; });
  }

 private:
  void acknowledge(const std::string& error) {
    if (!error.empty()) {
      std::fprintf(stderr, "commit failed: %s\n", error.c_str());
      std::_Exit(2);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++done_;
    }
    acked_.notify_one();
  }

  std::mutex mutex_;
  std::condition_variable acked_;
  std::size_t issued_ = 0;
  std::size_t done_ = 0;
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct pipeline_result {
  double jobs_per_second;
  double cpu_us_per_job;
};

pipeline_result run_pipeline(const bench_options& options, store_backend backend,
                             std::size_t window) {
  scratch_store scratch(options, backend);
  store& s = scratch.get();
  acked_commits commits;
  std::array<std::vector<job_id>, 3> batches;  // [k % 3]: enqueued at step k
  std::size_t steps = (options.jobs + options.batch - 1) / options.batch + 2;
  std::size_t enqueued = 0;
  double cpu_start = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  for (std::size_t step = 0; step < steps; ++step) {
    std::vector<job_id>& oldest = batches[(step + 1) % 3];  // batch step-2
    for (job_id id : oldest)
      s.erase(id);
    oldest.clear();
    for (job_id id : batches[(step + 2) % 3])  // batch step-1
      s.put(noop(id, job_state::running));
    std::vector<job_id>& fresh = batches[step % 3];
    for (; fresh.size() < options.batch && enqueued < options.jobs; ++enqueued) {
      fresh.push_back(s.next_id());
      s.put(noop(fresh.back(), job_state::enqueued));
    }
    commits.commit(s);
    commits.wait_below(window);
  }
  s.flush();
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  double cpu = cpu_seconds() - cpu_start;
  if (s.size() != 0)
    throw std::logic_error("pipeline left jobs behind");
  auto jobs = static_cast<double>(options.jobs);
  return {jobs / elapsed.count(), cpu * 1e6 / jobs};
}

void fill_with_queued_jobs(const bench_options& options, store& s) {
  acked_commits commits;
  for (std::size_t i = 0; i < options.jobs; ++i) {
    s.put(noop(s.next_id(), job_state::enqueued));
    if ((i + 1) % options.batch == 0) {
      commits.commit(s);
      commits.wait_below(options.window);
    }
  }
  commits.commit(s);
  s.flush();
}

double rss_bytes_per_queued_job(const bench_options& options, store_backend backend) {
  std::size_t before = resident_bytes();
  scratch_store scratch(options, backend);
  fill_with_queued_jobs(options, scratch.get());
  return static_cast<double>(resident_bytes() - before) / static_cast<double>(options.jobs);
}

double reopen_seconds(const bench_options& options) {
  scratch_store scratch(options, store_backend::sqlite);
  fill_with_queued_jobs(options, scratch.get());
  double seconds = scratch.reopen();
  if (scratch.get().size() != options.jobs)
    throw std::logic_error("reopen lost jobs");
  return seconds;
}

// Runs `measure` in a forked child and returns what it measured (plain data).
template <class Measure>
auto in_child(Measure measure) {
  using result = decltype(measure());
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    result value = measure();
    if (write(fds[1], &value, sizeof value) != sizeof value)
      std::_Exit(3);
    std::_Exit(0);
  }
  close(fds[1]);
  result value{};
  bool got = read(fds[0], &value, sizeof value) == sizeof value;
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("a bench run failed");
  return value;
}

template <class Measure>
auto repeat(int runs, Measure measure) {
  std::vector<decltype(measure())> values;
  for (int i = 0; i < runs; ++i)
    values.push_back(in_child(measure));
  return values;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::string joined(const std::vector<double>& values, const char* format) {
  std::string text;
  char cell[32];
  for (double v : values) {
    std::snprintf(cell, sizeof cell, format, v);
    text += (text.empty() ? "" : " ") + std::string(cell);
  }
  return text;
}

void print_row(const char* backend, const std::string& figure, const std::vector<double>& v,
               const char* format) {
  char median_cell[32];
  std::snprintf(median_cell, sizeof median_cell, format, median(v));
  std::printf("%-8s %-30s %12s   %s\n", backend, figure.c_str(), median_cell,
              joined(v, format).c_str());
  std::fflush(stdout);
}

void print_pipeline(const char* backend, const std::string& label,
                    const std::vector<pipeline_result>& runs) {
  std::vector<double> rates;
  std::vector<double> cpu;
  for (const pipeline_result& r : runs) {
    rates.push_back(r.jobs_per_second);
    cpu.push_back(r.cpu_us_per_job);
  }
  print_row(backend, "jobs/s, " + label, rates, "%.0f");
  print_row(backend, "CPU us/job, " + label, cpu, "%.2f");
}

void run(const bench_options& options) {
  std::printf("store bench: %zu jobs, a commit every %zu jobs, sync %s, median of %d runs\n",
              options.jobs, options.batch, options.full_sync ? "full" : "normal", options.runs);
  std::printf("throughput: put(enqueued) + put(running) + erase per job, each in its own commit\n");
  std::printf("memory: RSS growth with %zu queued no-op jobs\n\n", options.jobs);
  std::printf("%-8s %-30s %12s   %s\n", "backend", "figure", "median", "runs");
  std::string paced = "window " + std::to_string(options.window);
  for (backend_case c : {backend_case{"memory", store_backend::memory},
                         backend_case{"sqlite", store_backend::sqlite}}) {
    print_pipeline(c.name, paced, repeat(options.runs, [&] {
      return run_pipeline(options, c.backend, options.window);
    }));
    print_pipeline(c.name, "no window", repeat(options.runs, [&] {
      return run_pipeline(options, c.backend, 0);
    }));
    print_row(c.name, "RSS bytes/queued job", repeat(options.runs, [&] {
      return rss_bytes_per_queued_job(options, c.backend);
    }), "%.1f");
  }
  print_row("sqlite", "seconds to reopen", repeat(options.runs, [&] {
    return reopen_seconds(options);
  }), "%.2f");
}

}  // namespace
}  // namespace meshjobs

int main(int argc, char** argv) {
  meshjobs::bench_options options;
  CLI::App app{"meshjobs store bench: throughput and memory of the memory and SQLite stores"};
  app.add_option("--jobs", options.jobs, "jobs per run")->check(CLI::PositiveNumber);
  app.add_option("--batch", options.batch, "jobs between commits")->check(CLI::PositiveNumber);
  app.add_option("--window", options.window, "unacknowledged commits the producer allows");
  app.add_option("--runs", options.runs, "runs per figure (the median is shown)")
    ->check(CLI::PositiveNumber);
  app.add_option("--dir", options.dir, "where the SQLite files go")->check(CLI::ExistingDirectory);
  app.add_flag("--full-sync", options.full_sync, "store.sync: full instead of normal");
  CLI11_PARSE(app, argc, argv);
  try {
    meshjobs::run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
