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

void ledger_effects::clear() {
  dispatches.clear();
  cancels.clear();
  signals.clear();
  watched.clear();
  stops.clear();
  events.clear();
  wake_at = 0;
}

ledger_effects job_ledger::take_effects() {
  ledger_effects fx;
  take_effects(fx);
  return fx;
}

void job_ledger::take_effects(ledger_effects& fx) {
  fx.clear();
  fx.dispatches.swap(effects_.dispatches);
  fx.cancels.swap(effects_.cancels);
  fx.signals.swap(effects_.signals);
  fx.watched.swap(effects_.watched);
  fx.stops.swap(effects_.stops);
  fx.events.swap(effects_.events);
  fx.wake_at = next_timed_change();
}

}  // namespace meshjobs
