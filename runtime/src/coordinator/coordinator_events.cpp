// The one place events leave the coordinator: each change it records becomes a job_event,
// stamped with its order, and the batch goes to the subscribers once the message that caused
// it is handled (after_change). Nothing is built when no subscriber wants the kind.
#include "coordinator/coordinator.hpp"
#include "events/event_bus.hpp"

namespace meshjobs {

void coordinator_state::publish(job_event e) {
  e.seq = ++event_seq_;
  if (e.at == 0)
    e.at = env_->now();
  pending_events_.push_back(std::move(e));
}

void coordinator_state::announce(const job& j, event_kind what, std::int64_t duration_us,
                                 const job_error* error) {
  if (!env_->events->wants(what))
    return;
  job_event e;
  e.what = what;
  e.id = j.id;
  e.kind = j.kind;
  e.queue = j.queue;
  e.attempt = j.attempt;
  e.enqueued_at = j.enqueued_at;
  e.started_at = j.started_at;
  e.finished_at = is_outcome(what) ? j.finished_at : 0;
  if (what == event_kind::scheduled || what == event_kind::retrying)
    e.next_at = j.run_at;
  e.duration_us = duration_us;
  if (what == event_kind::progress) {
    e.percent = j.progress;
    e.message = j.progress_message;
  }
  if (error != nullptr)
    e.error = *error;
  publish(std::move(e));
}

void coordinator_state::announce_type(std::uint32_t supervisor, timestamp until) {
  auto what = until != 0 ? event_kind::type_paused : event_kind::type_resumed;
  if (!env_->events->wants(what))
    return;
  job_event e;
  e.what = what;
  e.kind = env_->types[supervisor]->kind;
  e.next_at = until;
  publish(std::move(e));
}

void coordinator_state::flush_events() {
  if (pending_events_.empty())
    return;
  env_->events->publish(pending_events_);
  pending_events_.clear();
}

}  // namespace meshjobs
