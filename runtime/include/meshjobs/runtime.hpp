// The embedded runtime: what a host program links and drives in-process.
//
//   meshjobs::runtime rt{meshjobs::default_config()};
//   rt.register_type(my_type);
//   rt.start();
//   auto r = rt.enqueue("mesh.generation", R"({"mesh_id":1})");
//   meshjobs::enqueue_request later;
//   later.kind = "mesh.generation";
//   later.args = R"({"mesh_id":2})";
//   later.wait_us = 30'000'000;  // in 30 s
//   rt.enqueue(later);
//   rt.drain(std::chrono::seconds(30));
//   rt.stop();
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meshjobs/clock.hpp"
#include "meshjobs/config/config.hpp"
#include "meshjobs/job_type.hpp"
#include "meshjobs/messages/job_event.hpp"
#include "meshjobs/messages/protocol.hpp"
#include "meshjobs/observer.hpp"
#include "meshjobs/records.hpp"

namespace meshjobs {

class runtime {
 public:
  /// `clk`: where the runtime reads the time (a manual clock in tests); null: the system clock.
  explicit runtime(config cfg, std::shared_ptr<meshjobs::clock> clk = nullptr);
  ~runtime();  ///< stops if still running
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Before start(). Throws std::invalid_argument for a duplicate kind, an empty kind, a missing
  /// handler or a queue not in the config.
  void register_type(job_type type);
  /// The observer hears of each job's steps from the event stream, on a thread of its own
  /// (see subscribe_events). Before or after start().
  void add_observer(std::shared_ptr<observer> obs);
  /// Calls `fn(event)` for each change the coordinator records (enqueued, scheduled, started,
  /// progress, each outcome, a type paused or resumed), in the coordinator's order, on a
  /// thread of this subscription's own, until unsubscribe_events or stop(), which first
  /// delivers what is buffered. A slow `fn` never slows the runtime: past `buffer` waiting
  /// events, new ones are dropped and counted (stats().subscribers), and `seq` shows the gap.
  std::uint64_t subscribe_events(std::function<void(const job_event&)> fn, std::size_t buffer = 65536);
  void unsubscribe_events(std::uint64_t subscription);
  /// Waits until every event published before this call has been handed to each subscriber
  /// function and observer (their calls returned); false after `timeout`. drain() does it too.
  bool settle_events(std::chrono::milliseconds timeout);
  /// Before start(): domain record tables to keep in the node's store; start() migrates them.
  /// Throws std::invalid_argument for an empty or duplicate name.
  void register_records(record_schema schema);

  /// Before start(): a read-only view that clients of the front actor (meshjobs-inject) ask for
  /// by name and key, e.g. "batch" and "42" for a batch with its images. `fn` runs on a thread
  /// of its own per request (it may read records) and returns JSON text, or nothing when there
  /// is nothing by that key. Throws std::invalid_argument for an empty or duplicate name.
  void register_view(std::string name, std::function<std::optional<std::string>(const std::string& key)> fn);

  /// Checks what start() would refuse without starting anything: a schedule entry whose job
  /// kind (or Ruby class) no registered type has. Throws std::invalid_argument naming each.
  void check() const;
  /// Opens the store, recovers what it holds, spawns the actors and starts the cron schedule.
  /// Throws std::invalid_argument for what check() refuses, std::runtime_error naming what
  /// failed (store path, port...).
  void start();

  /// `request` says what to run and how (queue, priority, delay, uniqueness, idempotency key).
  enqueue_reply enqueue(enqueue_request request);
  /// The job type's defaults for everything but the arguments.
  enqueue_reply enqueue(const std::string& kind, const std::string& args_json = "{}");
  std::vector<enqueue_reply> enqueue_many(std::vector<enqueue_request> requests);

  cancel_status cancel(job_id id);
  std::optional<job> find(job_id id);
  /// A page of jobs matching `q` (state, queue, kind), newest first; pass the page's
  /// next_cursor as the next query's before_id for the page after it.
  job_page query(const job_query& q);
  /// The newest `limit` (at most job_query::max_limit) jobs in `state`: query's first page.
  std::vector<job> jobs(job_state state, std::uint32_t limit = job_query::max_limit);
  runtime_stats stats();
  bool pause(const std::string& queue);
  bool resume(const std::string& queue);
  /// Moves a dead job back to its queue with fresh attempts.
  bool retry_dead(job_id id);
  /// Sends `payload_json` (a JSON object) to the execution running job `id`, which sees it
  /// through async_context::on_signal or job_context::next_signal. not_running / not_found
  /// when no execution runs that job; refused when the payload is not a JSON object.
  signal_status signal(job_id id, const std::string& payload_json);

  /// Writes domain records in one transaction; returns once it is durable. Throws
  /// std::runtime_error with the store's reason when the commit failed. A single write that
  /// fails (bad SQL, a constraint) is logged and dropped; the others commit. With no writes it
  /// is a barrier: it returns once every change recorded before it is durable.
  void write_records(std::vector<record_write> writes);
  /// Reads committed domain records; any thread, no actor involved. Throws
  /// std::runtime_error naming the query and the reason.
  std::vector<record_row> query_records(const std::string& sql,
                                        const std::vector<record_value>& params = {});

  /// Waits until nothing is enqueued, running, scheduled or retrying, and the subscribers have
  /// been handed every event of it; false on timeout.
  bool drain(std::chrono::milliseconds timeout);
  /// Graceful stop: no new work, running jobs get `timeout` to finish, the rest are requeued,
  /// the store is flushed. Idempotent.
  void stop();
  /// Makes the coordinator look at the scheduled set now (after a manual clock moved).
  void tick();

  /// Publishes `payload` on `channel` to every subscriber.
  void publish(const std::string& channel, const std::string& payload);
  /// Calls `fn(channel, payload)` for each message on `channel` (on an actor thread) until
  /// `unsubscribe`. Returns a subscription id.
  std::uint64_t subscribe(const std::string& channel,
                          std::function<void(const std::string&, const std::string&)> fn);
  void unsubscribe(std::uint64_t subscription);

  const config& cfg() const;
  meshjobs::clock& clock();
  /// The port the front actor is published on (0 when not published).
  std::uint16_t inject_port() const;
  /// Where this head listens for worker nodes (node.cluster_port; 0 there picks a free port);
  /// 0 when it is not a head.
  std::uint16_t cluster_port() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace meshjobs
