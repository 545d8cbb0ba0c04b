// The one hook point for cross-cutting work (logging, metrics, progress publishing): the runtime
// calls every registered observer at each step of a job's life. Observers are called from
// actor threads, concurrently: they must be thread-safe, quick, and must not block.
#pragma once

#include <cstdint>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

class observer {
 public:
  virtual ~observer() = default;
  virtual void on_enqueued(const job&) {}
  virtual void on_started(const job&) {}
  /// A running job reported progress (coalesced: the latest report, a few per second at most,
  /// and always before its end). `j.progress` and `j.progress_message` hold it too.
  virtual void on_progress(const job& /*j*/, std::int32_t /*percent*/, const std::string& /*message*/) {}
  /// `duration_us`: the execution's wall time (0 when it never ran).
  virtual void on_finished(const job&, const job_outcome&, std::int64_t /*duration_us*/) {}
  /// A job type's restart intensity was exceeded (`until` > 0) or its back-off ended (0).
  virtual void on_type_paused(const std::string& /*kind*/, timestamp /*until*/) {}
};

}  // namespace meshjobs
