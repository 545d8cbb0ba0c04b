// What the head needs to know of a job type to admit and schedule its jobs: a job type splits
// into this spec, which is serialisable and held by the coordinator, and its handler, which
// only the nodes that run the type hold (meshjobs/job_type.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

struct job_spec {
  std::string kind;
  std::string queue = "default";
  std::int32_t priority = 0;
  unique_mode unique = unique_mode::none;
  unique_conflict on_conflict = unique_conflict::log;
  std::int64_t timeout_ms = 0;  ///< 0: the config's timeout
  /// false: its running jobs do not count against the node's concurrency (a parent that only
  /// waits for its children).
  bool counts_against_concurrency = true;
};

/// What a worker says of itself when it registers with the coordinator: the node it runs on,
/// the kinds it runs and how many of their jobs it runs at once (its first credit).
struct worker_registration {
  std::string node;
  std::vector<std::string> kinds;
  std::int32_t capacity = 0;
  /// Outcomes it kept while it had no head (a worker node joining a head again): applied as
  /// the registration is, before any job is handed to it (job_ledger::adopt_late_outcome).
  std::vector<job_outcome> finished;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_spec& x) {
  return f(x.kind, x.queue, x.priority, x.unique, x.on_conflict, x.timeout_ms,
           x.counts_against_concurrency);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, worker_registration& x) {
  return f(x.node, x.kinds, x.capacity, x.finished);
}

}  // namespace meshjobs
