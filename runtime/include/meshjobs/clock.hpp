// Where the runtime reads the time. Tests inject a manual clock to check waits without sleeping.
#pragma once

#include <atomic>
#include <chrono>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class clock {
 public:
  virtual ~clock() = default;
  virtual timestamp now() const = 0;
};

class system_clock final : public clock {
 public:
  timestamp now() const override;
};

/// Time moves only when told to.
class manual_clock final : public clock {
 public:
  explicit manual_clock(timestamp start) : now_(start) {}
  timestamp now() const override { return now_.load(); }
  void set(timestamp t) { now_.store(t); }
  void advance(std::chrono::microseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<timestamp> now_;
};

inline timestamp to_timestamp(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace meshjobs
