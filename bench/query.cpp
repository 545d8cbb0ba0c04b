// Paged queries on a full store: the cost of one page of 100 among 1,000,000 queued jobs, for
// the newest page, a page deep in the table (a cursor), a kind filter that matches one job in
// a thousand, and a state with few jobs among many ids. The reference is the list before paged
// queries: a walk of the table in slot order until `page` jobs of the state are found, then a
// sort (not the newest, and no cursor), for the dense and the sparse state.
// The last line: RESULT newest_us=<x> deep_us=<x> rare_kind_us=<x> sparse_state_us=<x>
//                       old_dense_us=<x> old_sparse_us=<x>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace meshjobs {
namespace {

using clock_type = std::chrono::steady_clock;

// The median time of `runs` calls of `f`, in microseconds.
double median_us(int runs, const std::function<std::size_t()>& f) {
  std::vector<double> times;
  std::size_t sink = 0;
  for (int i = 0; i < runs; ++i) {
    auto start = clock_type::now();
    sink += f();
    times.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  if (sink == 0)
    std::fprintf(stderr, "query: every page came back empty\n");
  return times[times.size() / 2];
}

int run(std::size_t jobs, std::uint32_t page, int runs) {
  auto s = make_memory_store();
  job j;
  j.queue = "default";
  for (job_id id = 1; id <= jobs; ++id) {
    j.id = id;
    j.kind = id % 1000 == 0 ? "rare.kind" : "bench.noop";
    // One job in ten thousand died: a sparse state over the whole id range.
    j.state = id % 10000 == 0 ? job_state::dead : job_state::enqueued;
    s->put(j);
  }
  job_query q;
  q.by_state = true;
  q.state = job_state::enqueued;
  q.limit = page;
  const double newest = median_us(runs, [&] { return s->query(q).jobs.size(); });
  q.before_id = jobs / 2;
  const double deep = median_us(runs, [&] { return s->query(q).jobs.size(); });
  q.before_id = 0;
  q.kind = "rare.kind";
  const double rare = median_us(runs, [&] { return s->query(q).jobs.size(); });
  q.kind.clear();
  q.state = job_state::dead;
  const double sparse = median_us(runs, [&] { return s->query(q).jobs.size(); });
  auto old_list = [&](job_state state) {
    std::vector<job> out;
    s->for_each(state, [&](const job& each) {
      out.push_back(each);
      return out.size() < page;
    });
    std::sort(out.begin(), out.end(), [](const job& a, const job& b) { return a.id < b.id; });
    return out.size();
  };
  const double old_dense = median_us(runs, [&] { return old_list(job_state::enqueued); });
  const double old_sparse = median_us(std::max(1, runs / 10), [&] { return old_list(job_state::dead); });
  std::printf("a page of %u among %zu queued jobs (median of %d):\n", page, jobs, runs);
  std::printf("  newest page            %10.1f us\n", newest);
  std::printf("  page below id %-8zu  %10.1f us\n", jobs / 2, deep);
  std::printf("  kind of 1 job in 1000  %10.1f us\n", rare);
  std::printf("  dead (1 in 10000)      %10.1f us\n", sparse);
  std::printf("the list before paged queries (first found in slot order, then sorted):\n");
  std::printf("  enqueued               %10.1f us\n", old_dense);
  std::printf("  dead (1 in 10000)      %10.1f us\n", old_sparse);
  std::printf("RESULT newest_us=%.1f deep_us=%.1f rare_kind_us=%.1f sparse_state_us=%.1f "
              "old_dense_us=%.1f old_sparse_us=%.1f\n",
              newest, deep, rare, sparse, old_dense, old_sparse);
  return 0;
}

}  // namespace
}  // namespace meshjobs

int main(int argc, char** argv) {
  CLI::App app{"bench/query: one page of a paged query among many queued jobs"};
  std::size_t jobs = 1'000'000;
  std::uint32_t page = 100;
  int runs = 200;
  app.add_option("--jobs", jobs, "queued jobs in the store (default 1000000)")->check(CLI::Range(1000, 100'000'000));
  app.add_option("--page", page, "jobs a page (default 100)")->check(CLI::Range(1, 1000));
  app.add_option("--runs", runs, "pages timed, the median reported (default 200)")->check(CLI::Range(1, 100000));
  CLI11_PARSE(app, argc, argv);
  return meshjobs::run(jobs, page, runs);
}
