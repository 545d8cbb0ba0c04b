#include "coordinator/job_ledger.hpp"

namespace meshjobs {

job_ledger::job_ledger(std::shared_ptr<const runtime_env> env, std::shared_ptr<store> db)
    : env_(std::move(env)),
      db_(std::move(db)),
      queues_(env_->cfg, env_->specs.size() + 1),  // + the lane of unknown kinds
      workers_(env_->specs.size()),
      kinds_(env_->specs.size()) {
  queues_.open_lane(unknown_kind_lane(), true);  // their jobs go to the dead set at once
}

ledger_effects job_ledger::take_effects() {
  effects_.wake_at = next_timed_change();
  batch_of_.clear();
  return std::exchange(effects_, ledger_effects{});
}

}  // namespace meshjobs
