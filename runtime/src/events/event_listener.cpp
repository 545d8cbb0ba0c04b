#include "events/event_listener.hpp"

#include <spdlog/spdlog.h>

namespace meshjobs {

event_listener::event_listener(std::shared_ptr<event_bus> bus,
                               std::shared_ptr<event_subscription> subscription, callback fn)
    : bus_(std::move(bus)), subscription_(std::move(subscription)), fn_(std::move(fn)),
      thread_([this] { deliver(); }) {}

event_listener::~event_listener() {
  bus_->unsubscribe(subscription_);
  thread_.join();
}

void event_listener::deliver() {
  std::vector<job_event> batch;
  while (subscription_->wait_take(batch)) {
    for (const auto& e : batch) {
      try {
        fn_(e);
      } catch (const std::exception& ex) {
        spdlog::error("event subscriber {}: threw on event {} ({}): {}", subscription_->stats().name,
                      e.seq, to_string(e.what), ex.what());
      }
    }
    batch.clear();
    subscription_->handed_over();
  }
}

}  // namespace meshjobs
