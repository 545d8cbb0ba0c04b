// The typed contracts inside a worker: its supervisor answers the coordinator as a worker
// (meshjobs/messages/interfaces.hpp) and hears from its own executions and timers; each
// execution slot runs one job at a time.
#pragma once

#include <caf/typed_actor.hpp>

#include "meshjobs/messages/interfaces.hpp"

namespace meshjobs {

using supervisor_actor = worker_actor::extend<
  caf::reacts_to<done_atom, std::uint64_t, job_error>,
  caf::reacts_to<progress_atom, std::uint64_t, std::int32_t, std::string>,
  caf::reacts_to<progress_atom>,
  caf::reacts_to<deadline_atom>,
  caf::reacts_to<backoff_atom>,
  caf::reacts_to<outcome_atom>>;

using execution_actor = caf::typed_actor<caf::reacts_to<run_atom, std::uint64_t, job>>;

}  // namespace meshjobs
