// The one place events come from: each change the ledger records becomes a job_event, stamped
// with its order, among the effects; the coordinator hands them to the subscribers once the
// message that caused them is handled. Nothing is built when no subscriber wants the kind.
#include "coordinator/job_ledger.hpp"
#include "events/event_bus.hpp"

namespace meshjobs {

void job_ledger::publish(job_event e) {
  e.seq = ++event_seq_;
  if (e.at == 0)
    e.at = env_->now();
  effects_.events.push_back(std::move(e));
}

void job_ledger::announce(const job& j, event_kind what, std::int64_t duration_us,
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

void job_ledger::announce_kinds(const worker_entry& w, timestamp until) {
  auto what = until != 0 ? event_kind::type_paused : event_kind::type_resumed;
  if (!env_->events->wants(what))
    return;
  for (auto lane : w.lanes) {
    job_event e;
    e.what = what;
    e.kind = env_->specs[lane].kind;
    e.next_at = until;
    publish(std::move(e));
  }
}

}  // namespace meshjobs
