#include "demo/demo_jobs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "meshjobs/messages/json.hpp"

namespace meshjobs::demo {
namespace {

json::object parse_args(const job_context& ctx) {
  auto parsed = json::object::parse(ctx.args(), "args");
  if (auto* err = std::get_if<json::parse_error>(&parsed))
    throw job_failure(std::string{error_kinds::bad_args}, err->message);
  return std::get<json::object>(std::move(parsed));
}

/// Waits up to `ms` on the worker pool, returning early once the job is cancelled.
void wait_cancellable(const job_context& ctx, std::int64_t ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!ctx.cancelled() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(ms, 5)));
}

void append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0)
    throw job_failure("io_error", "cannot open " + path);
  auto text = line + "\n";
  auto written = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()))
    throw job_failure("io_error", "short write to " + path);
}

/// Blocks until someone opens the FIFO at `path` for reading, whatever cancelled() says: a
/// handler hung on a dependency that never answers.
void wait_for_a_reader(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0)
    throw job_failure("io_error", "cannot open the FIFO " + path);
  ::close(fd);
}

job_type hang_type(std::string kind) {
  job_type hang;
  hang.kind = std::move(kind);
  hang.perform = [](job_context& ctx) {
    auto fifo = parse_args(ctx).get_string("fifo");
    if (!fifo)
      throw job_failure(std::string{error_kinds::bad_args}, "args.fifo: missing");
    wait_for_a_reader(*fifo);
  };
  return hang;
}

/// `default` when the node has it, else the node's first queue: a type on a queue the config
/// lacks is refused by register_type, and the node would not start.
std::string demo_queue(const config& cfg) {
  for (const auto& q : cfg.queues)
    if (q.name == "default")
      return q.name;
  return cfg.queues.empty() ? "default" : cfg.queues.front().name;
}

}  // namespace

void register_demo_jobs(runtime& rt) {
  const auto queue = demo_queue(rt.cfg());
  auto on_queue = [&](job_type t) {
    t.queue = queue;
    rt.register_type(std::move(t));
  };

  job_type noop;
  noop.kind = "demo.noop";
  noop.blocking = false;
  noop.perform = [](job_context&) {};
  on_queue(std::move(noop));

  // CPU-bound work for the scaling figures: `ms` of its thread's own CPU time (not wall time,
  // so two jobs sharing a core take twice as long).
  job_type spin;
  spin.kind = "demo.spin";
  spin.perform = [](job_context& ctx) {
    const auto cpu_ns = [] {
      timespec t{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
      return std::int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
    };
    const auto until = cpu_ns() + parse_args(ctx).get_int("ms").value_or(20) * 1000000;
    volatile std::uint64_t sink = 0;
    while (cpu_ns() < until && !ctx.cancelled())
      for (int i = 0; i < 1000; ++i)
        sink = sink + static_cast<std::uint64_t>(i);
  };
  on_queue(std::move(spin));

  job_type sleep;
  sleep.kind = "demo.sleep";
  sleep.perform = [](job_context& ctx) {
    wait_cancellable(ctx, parse_args(ctx).get_int("ms").value_or(100));
  };
  sleep.retry.retry_on(std::string{error_kinds::timeout}, wait_strategy::fixed(std::chrono::milliseconds(200)), 2);
  on_queue(std::move(sleep));

  job_type flaky;
  flaky.kind = "demo.flaky";
  flaky.blocking = false;
  flaky.perform = [](job_context& ctx) {
    auto succeed_on = parse_args(ctx).get_int("succeed_on").value_or(3);
    if (ctx.current().attempt < succeed_on)
      throw job_failure("service_error", "flaky: attempt " + std::to_string(ctx.current().attempt) +
                                             " fails on purpose");
  };
  flaky.retry.retry_on("service_error", wait_strategy::fixed(std::chrono::milliseconds(100)), 5);
  on_queue(std::move(flaky));

  job_type fail;
  fail.kind = "demo.fail";
  fail.blocking = false;
  fail.perform = [](job_context&) { throw job_failure("service_error", "demo.fail always fails"); };
  fail.retry.retry_on("service_error", wait_strategy::fixed(std::chrono::milliseconds(100)), 3);
  on_queue(std::move(fail));

  job_type record;
  record.kind = "demo.record";
  record.perform = [](job_context& ctx) {
    auto args = parse_args(ctx);
    wait_cancellable(ctx, args.get_int("ms").value_or(0));
    auto path = args.get_string("path");
    if (!path)
      throw job_failure(std::string{error_kinds::bad_args}, "args.path: missing");
    append_line(*path, args.get_string("token").value_or(std::to_string(ctx.current().id)));
  };
  on_queue(std::move(record));

  auto hang = hang_type("demo.hang");
  hang.retry.discard_on(std::string{error_kinds::timeout});
  on_queue(std::move(hang));

  auto hang_long = hang_type("demo.hang_long");
  hang_long.timeout = std::chrono::hours(1);
  on_queue(std::move(hang_long));
  job_type signal;
  signal.kind = "demo.signal";
  signal.start = [](async_context& ctx) {
    auto parsed = json::object::parse(ctx.args(), "args");
    auto ms = std::holds_alternative<json::object>(parsed)
                ? std::get<json::object>(parsed).get_int("ms").value_or(60000) : 60000;
    ctx.progress(0, "waiting for a signal");
    ctx.on_signal([&ctx](const std::string& payload) {
      ctx.progress(100, payload);
      ctx.done();
    });
    ctx.after(std::chrono::milliseconds(ms), [&ctx] { ctx.fail(std::string{error_kinds::timeout}, "no signal came"); });
  };
  signal.counts_against_concurrency = false;
  on_queue(std::move(signal));
}

}  // namespace meshjobs::demo
