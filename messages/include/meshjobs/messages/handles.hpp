// The handles that travel inside messages (a worker registers itself; an asynchronous job
// asks to be told when jobs end): declared before the type-ID block, which lists them so they
// cross nodes.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "meshjobs/messages/atoms.hpp"
#include "meshjobs/messages/job_spec.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

/// Whoever waits for jobs to end (an asynchronous job's actor): told once per watched job,
/// with the token it gave when it asked.
using watcher_actor = caf::typed_actor<caf::reacts_to<watched_atom, std::uint64_t, job_end>>;

/// A worker as the coordinator sees it: it is handed jobs, asked to cancel or signal one of
/// them, and told to stop.
using worker_actor = caf::typed_actor<
  caf::reacts_to<dispatch_atom, std::vector<job>>,
  caf::reacts_to<cancel_atom, job_id>,
  caf::reacts_to<signal_atom, job_id, std::string>,
  caf::reacts_to<stop_atom>>;

}  // namespace meshjobs
