// A subscriber of the event stream (runtime::subscribe_events) by steps of a job's life, for
// cross-cutting work (logging, metrics). Each observer is called on a thread of its own, in
// the coordinator's order, after the coordinator recorded the step. A slow observer slows
// nothing else: past its buffer, events are dropped (and counted in stats().subscribers).
// The job it sees carries what the event carries: no args.
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
