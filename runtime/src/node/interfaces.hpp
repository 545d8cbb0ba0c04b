// The typed contracts between the runtime's actors: what each accepts and answers.
#pragma once

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "meshjobs/messages/atoms.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

/// Whoever waits for jobs to end (an asynchronous job's actor): told once per watched job,
/// with the token it gave when it asked.
using watcher_actor = caf::typed_actor<caf::reacts_to<watched_atom, std::uint64_t, job_end>>;

/// The coordinator: owns the store, the queues, the scheduled set and dispatch.
using coordinator_actor = caf::typed_actor<
  // from callers (facade, front actor, cron, other jobs)
  caf::replies_to<enqueue_atom, enqueue_request>::with<enqueue_reply>,
  caf::replies_to<enqueue_atom, std::vector<enqueue_request>>::with<std::vector<enqueue_reply>>,
  caf::replies_to<lookup_atom, job_id>::with<job_lookup>,
  caf::replies_to<list_atom, job_query>::with<job_page>,
  caf::replies_to<cancel_atom, job_id>::with<cancel_status>,
  caf::replies_to<stats_atom>::with<runtime_stats>,
  caf::replies_to<pause_atom, std::string>::with<bool>,
  caf::replies_to<resume_atom, std::string>::with<bool>,
  caf::replies_to<retry_atom, job_id>::with<bool>,
  caf::replies_to<signal_atom, job_id, std::string>::with<signal_status>,
  caf::reacts_to<watch_atom, std::vector<job_id>, watcher_actor, std::uint64_t>,
  caf::replies_to<drain_atom>::with<bool>,
  caf::replies_to<records_atom, std::vector<record_write>>::with<std::string>,
  caf::replies_to<stop_atom>::with<bool>,
  caf::replies_to<events_atom, caf::actor>::with<bool>,  ///< streams events to the actor
  caf::reacts_to<tick_atom>,
  // internal: timers and the store's commit callback
  caf::reacts_to<tick_atom, std::uint64_t>,
  caf::reacts_to<cron_atom, std::uint64_t>,
  caf::reacts_to<durable_atom, std::uint64_t, std::string>,
  caf::reacts_to<durable_atom>,  // a failed commit's back-off is over: commit again
  // from supervisors (by their index)
  caf::reacts_to<demand_atom, std::uint32_t, std::int32_t>,
  caf::reacts_to<outcome_atom, std::uint32_t, std::vector<job_outcome>>,
  caf::reacts_to<progress_atom, std::uint32_t, std::vector<job_progress>>,
  caf::reacts_to<backoff_atom, std::uint32_t, timestamp>>;

/// A job type's supervisor: runs the jobs it is given on its pool of execution actors.
using supervisor_actor = caf::typed_actor<
  caf::reacts_to<dispatch_atom, std::vector<job>>,
  caf::reacts_to<cancel_atom, job_id>,
  caf::reacts_to<signal_atom, job_id, std::string>,
  caf::reacts_to<stop_atom>,
  // from its executions and its own timers
  caf::reacts_to<done_atom, std::uint64_t, job_error>,
  caf::reacts_to<progress_atom, std::uint64_t, std::int32_t, std::string>,
  caf::reacts_to<progress_atom>,
  caf::reacts_to<deadline_atom>,
  caf::reacts_to<backoff_atom>,
  caf::reacts_to<outcome_atom>>;

/// One execution slot: runs one job at a time and reports to its supervisor.
using execution_actor = caf::typed_actor<caf::reacts_to<run_atom, std::uint64_t, job>>;

}  // namespace meshjobs
