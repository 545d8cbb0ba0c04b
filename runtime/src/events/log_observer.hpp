// The runtime's own observer: logs each step of a job's life through spdlog. Per-job lines are
// at debug level (free when disabled); failures at warn, dead jobs at error. A type's pause
// and resume are logged by its supervisor, which knows the figures.
#pragma once

#include "events/event_bus.hpp"
#include "meshjobs/observer.hpp"

namespace meshjobs {

class log_observer final : public observer {
 public:
  /// The events it logs at the current log level: only failures unless debug is on, so that
  /// the stream carries nothing for it per successful job.
  static event_mask wanted();

  void on_enqueued(const job& j) override;
  void on_started(const job& j) override;
  void on_finished(const job& j, const job_outcome& o, std::int64_t duration_us) override;
};

}  // namespace meshjobs
