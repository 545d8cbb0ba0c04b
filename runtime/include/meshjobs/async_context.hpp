// What an asynchronous job sees while it runs. An asynchronous job (job_type::start) is an
// actor behaviour, not a call: `start` sets things in motion (timers, enqueues, awaits, a
// signal handler) and returns; the job ends later, when one of its callbacks calls `done()` or
// `fail()`. Between callbacks it holds no thread.
//
//   t.start = [](meshjobs::async_context& ctx) {
//     ctx.on_signal([&ctx](const std::string&) { ctx.done(); });     // a callback ends the wait
//     ctx.after(std::chrono::seconds(300), [&ctx] { ctx.fail("timeout", "no answer"); });
//   };
//
// Every callback (the ones given to after, enqueue, await, on_signal and post) runs on the
// job type's actor, one at a time, and must not block: hand blocking work to a blocking job
// type and await it. `ctx` stays valid until the job ends; once it has ended (done, fail, its
// timeout, a cancel, a throw) no callback of it runs again, its timers are void, and a later
// done() or fail() is ignored. A callback that throws fails the job: a job_failure with its
// kind, anything else as "crashed".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

/// Names a timer set with async_context::after, to cancel it.
using timer_id = std::uint64_t;

class async_context {
 public:
  using task = std::function<void()>;
  using reply_callback = std::function<void(const enqueue_reply&)>;
  using replies_callback = std::function<void(const std::vector<enqueue_reply>&)>;
  using ends_callback = std::function<void(const std::vector<job_end>&)>;
  using signal_callback = std::function<void(const std::string& payload)>;

  virtual ~async_context() = default;

  virtual const job& current() const = 0;
  const std::string& args() const { return current().args; }

  /// Ends the job as succeeded. The first end wins; later calls are ignored.
  virtual void done() = 0;
  /// Ends the job as failed with `kind`, which the type's retry strategy matches.
  virtual void fail(std::string kind, std::string message) = 0;
  /// True once the job has ended, however it ended.
  virtual bool ended() const = 0;

  /// Calls `fn` after `delay`, unless the job has ended or the timer was cancelled by then.
  virtual timer_id after(std::chrono::milliseconds delay, task fn) = 0;
  virtual void cancel_timer(timer_id id) = 0;

  /// Reports how far the job got (0-100, clamped). Kept with the job (`runtime::find`) and
  /// published to observers; reports are coalesced (the latest wins, a few per second).
  virtual void progress(std::int32_t percent, std::string message) = 0;

  /// Enqueues without blocking; `on_reply` gets the coordinator's answer once it is durable
  /// (or a refusal naming the reason, also when the coordinator does not answer in time).
  virtual void enqueue(enqueue_request req, reply_callback on_reply) = 0;
  virtual void enqueue_many(std::vector<enqueue_request> reqs, replies_callback on_replies) = 0;
  /// Shorthand: enqueue `kind` with `args_json` and the type's defaults.
  void enqueue(std::string kind, std::string args_json, reply_callback on_reply) {
    enqueue_request req;
    req.kind = std::move(kind);
    req.args = std::move(args_json);
    enqueue(std::move(req), std::move(on_reply));
  }

  /// Calls `on_ended` once every job of `ids` has reached a final state (succeeded, dead,
  /// discarded, cancelled, expired; a retry is not an end), with their ends in the order of
  /// `ids`. An id the node does not know ends at once with `found` false.
  virtual void await(std::vector<job_id> ids, ends_callback on_ended) = 0;

  /// Calls `fn` with the payload of each signal sent to this job (`runtime::signal`,
  /// `meshjobs-inject signal`). Signals that came before a handler was set are kept for it.
  virtual void on_signal(signal_callback fn) = 0;

  /// A handle that any thread may call to run a task on this job's actor, e.g. to bring back
  /// the answer of asynchronous I/O. Tasks posted after the job ended are dropped.
  virtual std::function<void(task)> poster() = 0;
};

}  // namespace meshjobs
