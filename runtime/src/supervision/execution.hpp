// An execution slot: runs one job at a time through the job type's hooks and handler, and
// tells its supervisor how it ended. Blocking handlers run on the worker pool, so the actor
// (and its scheduler thread) only waits for a message. `cancel_flag` belongs to the slot: the
// supervisor clears it before each run and sets it on cancel or timeout; a blocking run whose
// flag is set by the time a pool thread takes it is not started. A run's id is its pool ticket.
// `signals` is the slot's inbox of signals for the handler.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "supervision/supervisor_interface.hpp"
#include "meshjobs/job_type.hpp"

namespace meshjobs {

class worker_pool;
class signal_inbox;

/// Runs before hooks, around hooks, the handler and after hooks; returns the failure, or an
/// empty error on success. Exceptions never escape.
job_error perform(const job_type& type, const job& j,
                  std::shared_ptr<const std::atomic<bool>> cancel_flag, const std::string& where,
                  std::shared_ptr<job_link> link = nullptr);

execution_actor::behavior_type execution(execution_actor::pointer self, supervisor_actor parent,
                                         std::shared_ptr<const job_type> type,
                                         std::shared_ptr<worker_pool> pool, std::string where,
                                         std::shared_ptr<std::atomic<bool>> cancel_flag,
                                         client_interface coordinator,
                                         std::shared_ptr<signal_inbox> signals);

}  // namespace meshjobs
