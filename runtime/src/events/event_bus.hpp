// The coordinator's events on their way to subscribers. Each subscriber has a bounded buffer of
// its own: the coordinator only appends to it, and when it is full drops the new events and
// counts them, so a slow subscriber never slows the coordinator. A subscriber takes its events
// from its buffer on its own thread (event_listener) or actor (event_relay).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "meshjobs/messages/job_event.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

/// A set of event kinds, one bit each.
using event_mask = std::uint32_t;
constexpr event_mask all_events = ~event_mask{0};
constexpr event_mask mask_of(event_kind k) { return event_mask{1} << static_cast<unsigned>(k); }

/// One subscriber's buffer.
class event_subscription {
 public:
  /// `on_ready` is called (on the coordinator's thread, outside the lock) each time the buffer
  /// goes from empty to not empty; it must not block.
  event_subscription(std::string name, event_mask mask, std::size_t capacity,
                     std::function<void()> on_ready = {});

  event_mask mask() const { return mask_; }
  /// The coordinator's side: appends the events this subscriber wants, dropping what does not fit.
  void push(const std::vector<job_event>& batch);

  /// Moves up to `max` buffered events to `out`; false when there were none.
  bool take(std::vector<job_event>& out, std::size_t max);
  /// Waits for events and moves them all to `out`; false once closed and empty. The consumer
  /// calls handed_over() once it has dealt with them.
  bool wait_take(std::vector<job_event>& out);
  void handed_over();
  /// Waits until the buffer is empty and no batch taken by wait_take is still being dealt
  /// with; false at `deadline`.
  bool wait_drained(std::chrono::steady_clock::time_point deadline);
  /// No more events come; wait_take returns what is left, then false.
  void close();

  subscriber_stats stats() const;

 private:
  const std::string name_;
  const event_mask mask_;
  const std::size_t capacity_;
  const std::function<void()> on_ready_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<job_event> buffer_;
  std::uint64_t dropped_ = 0;
  bool in_hand_ = false;  // a batch from wait_take is being dealt with
  bool closed_ = false;
};

/// Who listens. The coordinator publishes; any thread subscribes and unsubscribes.
class event_bus {
 public:
  std::shared_ptr<event_subscription> subscribe(std::string name, event_mask mask, std::size_t capacity,
                                                std::function<void()> on_ready = {});
  void unsubscribe(const std::shared_ptr<event_subscription>& s);

  /// Whether any subscriber wants events of kind `k`: a publisher builds none otherwise.
  bool wants(event_kind k) const { return (wanted_.load(std::memory_order_relaxed) & mask_of(k)) != 0; }
  void publish(const std::vector<job_event>& batch);
  std::vector<subscriber_stats> stats() const;

 private:
  void update_wanted();  // the mutex held

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<event_subscription>> subscribers_;
  std::atomic<event_mask> wanted_{0};
};

}  // namespace meshjobs
