#include "events/event_bus.hpp"

#include <algorithm>
#include <iterator>

namespace meshjobs {

event_subscription::event_subscription(std::string name, event_mask mask, std::size_t capacity,
                                       std::function<void()> on_ready)
    : name_(std::move(name)), mask_(mask), capacity_(capacity), on_ready_(std::move(on_ready)) {}

void event_subscription::push(const std::vector<job_event>& batch) {
  bool was_empty = false;
  bool added = false;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (closed_)
      return;
    was_empty = buffer_.empty();
    for (const auto& e : batch) {
      if ((mask_ & mask_of(e.what)) == 0)
        continue;
      if (buffer_.size() >= capacity_) {
        ++dropped_;
        continue;
      }
      buffer_.push_back(e);
      added = true;
    }
  }
  if (!was_empty || !added)
    return;
  ready_.notify_all();
  if (on_ready_)
    on_ready_();
}

bool event_subscription::take(std::vector<job_event>& out, std::size_t max) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto n = std::min(max, buffer_.size());
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(buffer_.front()));
    buffer_.pop_front();
  }
  return n != 0;
}

bool event_subscription::wait_take(std::vector<job_event>& out) {
  std::unique_lock<std::mutex> guard{mutex_};
  ready_.wait(guard, [this] { return closed_ || !buffer_.empty(); });
  if (buffer_.empty())
    return false;
  out.insert(out.end(), std::make_move_iterator(buffer_.begin()), std::make_move_iterator(buffer_.end()));
  buffer_.clear();
  in_hand_ = true;
  return true;
}

void event_subscription::handed_over() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    in_hand_ = false;
  }
  ready_.notify_all();
}

bool event_subscription::wait_drained(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> guard{mutex_};
  return ready_.wait_until(guard, deadline, [this] { return buffer_.empty() && !in_hand_; });
}

void event_subscription::close() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    closed_ = true;
  }
  ready_.notify_all();
}

subscriber_stats event_subscription::stats() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return {name_, buffer_.size(), dropped_};
}

std::shared_ptr<event_subscription> event_bus::subscribe(std::string name, event_mask mask,
                                                         std::size_t capacity,
                                                         std::function<void()> on_ready) {
  auto s = std::make_shared<event_subscription>(std::move(name), mask, capacity, std::move(on_ready));
  std::lock_guard<std::mutex> guard{mutex_};
  subscribers_.push_back(s);
  update_wanted();
  return s;
}

void event_bus::unsubscribe(const std::shared_ptr<event_subscription>& s) {
  s->close();
  std::lock_guard<std::mutex> guard{mutex_};
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), s), subscribers_.end());
  update_wanted();
}

void event_bus::publish(const std::vector<job_event>& batch) {
  std::lock_guard<std::mutex> guard{mutex_};
  for (const auto& s : subscribers_)
    s->push(batch);
}

std::vector<subscriber_stats> event_bus::stats() const {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<subscriber_stats> out;
  out.reserve(subscribers_.size());
  for (const auto& s : subscribers_)
    out.push_back(s->stats());
  return out;
}

void event_bus::update_wanted() {
  event_mask wanted = 0;
  for (const auto& s : subscribers_)
    wanted |= s->mask();
  wanted_.store(wanted, std::memory_order_relaxed);
}

}  // namespace meshjobs
