// The typed contracts between the runtime's actors. The coordinator answers three interfaces,
// and a handle of one cannot send the messages of another:
// - client_interface: what callers send (the facade, the front actor, jobs that enqueue or
//   wait for other jobs, inject): enqueue, cancel, queries, signals;
// - worker_interface: what the supervisors that run jobs send, wherever they run: register,
//   demand (credit), started, progress, outcomes, back-off. A worker is known by its address, which
//   CAF gives with each message: no index or id it sends is trusted;
// - internal_interface: the coordinator's own timers and its store's commits, and the stop
//   its node asks for.
#pragma once

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "meshjobs/messages/atoms.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "meshjobs/messages/handles.hpp"
#include "meshjobs/messages/job_spec.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

using client_interface = caf::typed_actor<
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
  caf::replies_to<events_atom, caf::actor>::with<bool>>;  ///< streams events to the actor

using worker_interface = caf::typed_actor<
  /// Answers an empty string when accepted, else why not (an unknown kind, no capacity).
  caf::replies_to<register_atom, worker_registration, worker_actor>::with<std::string>,
  caf::reacts_to<demand_atom, std::int32_t>,
  /// The jobs it was handed and has started (a job handed back unstarted is an outcome).
  caf::reacts_to<started_atom, std::vector<job_id>>,
  caf::reacts_to<progress_atom, std::vector<job_progress>>,
  caf::reacts_to<outcome_atom, std::vector<job_outcome>>,
  caf::reacts_to<backoff_atom, timestamp>>;  ///< paused until (restart intensity); 0: resumed

/// A worker node's link to its head: the head's cluster front answers it, and so does the
/// worker node's uplink, which relays it: a worker's messages and the client calls its jobs
/// make (enqueue, await, records, signals). Never the internal interface.
using worker_link_actor = client_interface::extend_with<worker_interface>;

using internal_interface = caf::typed_actor<
  caf::reacts_to<tick_atom>,
  caf::reacts_to<tick_atom, std::uint64_t>,
  caf::reacts_to<cron_atom, std::uint64_t>,
  caf::reacts_to<durable_atom, std::uint64_t, std::string>,
  caf::reacts_to<durable_atom>,  ///< a failed commit's back-off is over: commit again
  caf::replies_to<stop_atom>::with<bool>>;

/// The coordinator: owns the store, the queues, the scheduled set and dispatch.
using coordinator_actor =
  client_interface::extend_with<worker_interface>::extend_with<internal_interface>;

}  // namespace meshjobs
