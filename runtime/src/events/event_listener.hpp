// A subscriber that is a function: it gets the events of its subscription, in order, on a
// thread of its own, so it may be slow without holding up the coordinator or an actor's
// thread (past its buffer, events are dropped and counted instead).
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "events/event_bus.hpp"

namespace meshjobs {

class event_listener {
 public:
  using callback = std::function<void(const job_event&)>;

  event_listener(std::shared_ptr<event_bus> bus, std::shared_ptr<event_subscription> subscription,
                 callback fn);
  /// Unsubscribes, lets `fn` see what was already buffered, and joins its thread.
  ~event_listener();
  /// Waits until `fn` has been handed every event buffered so far; false at `deadline`.
  bool wait_idle(std::chrono::steady_clock::time_point deadline) {
    return subscription_->wait_drained(deadline);
  }
  event_listener(const event_listener&) = delete;
  event_listener& operator=(const event_listener&) = delete;

 private:
  void deliver();

  std::shared_ptr<event_bus> bus_;
  std::shared_ptr<event_subscription> subscription_;
  callback fn_;
  std::thread thread_;
};

}  // namespace meshjobs
