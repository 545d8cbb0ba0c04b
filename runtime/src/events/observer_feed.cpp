#include "events/observer_feed.hpp"

namespace meshjobs {
namespace {

job_state state_after(event_kind k) {
  switch (k) {
    case event_kind::scheduled:
      return job_state::scheduled;
    case event_kind::started:
    case event_kind::progress:
    case event_kind::abandoned:
      return job_state::running;
    case event_kind::succeeded:
      return job_state::succeeded;
    case event_kind::retrying:
      return job_state::retrying;
    case event_kind::dead:
      return job_state::dead;
    case event_kind::discarded:
      return job_state::discarded;
    case event_kind::cancelled:
      return job_state::cancelled;
    case event_kind::expired:
      return job_state::expired;
    default:
      return job_state::enqueued;
  }
}

outcome_kind outcome_of(event_kind k) {
  switch (k) {
    case event_kind::retrying:
      return outcome_kind::retry;
    case event_kind::dead:
      return outcome_kind::dead;
    case event_kind::discarded:
    case event_kind::expired:  // Sidekiq discards an expired job
      return outcome_kind::discarded;
    case event_kind::cancelled:
      return outcome_kind::cancelled;
    case event_kind::requeued:
      return outcome_kind::requeued;
    case event_kind::abandoned:
      return outcome_kind::abandoned;
    default:
      return outcome_kind::succeeded;
  }
}

job job_of(const job_event& e) {
  job j;
  j.id = e.id;
  j.kind = e.kind;
  j.queue = e.queue;
  j.attempt = e.attempt;
  j.state = state_after(e.what);
  j.enqueued_at = e.enqueued_at;
  j.started_at = e.started_at;
  j.finished_at = e.finished_at;
  j.run_at = e.next_at;
  j.last_error = e.error;
  return j;
}

}  // namespace

event_listener::callback observer_callback(std::shared_ptr<observer> o) {
  return [o = std::move(o)](const job_event& e) {
    switch (e.what) {
      case event_kind::enqueued:
      case event_kind::scheduled:
        o->on_enqueued(job_of(e));
        return;
      case event_kind::started:
        o->on_started(job_of(e));
        return;
      case event_kind::progress: {
        auto j = job_of(e);
        j.progress = e.percent;
        j.progress_message = e.message;
        o->on_progress(j, e.percent, e.message);
        return;
      }
      case event_kind::type_paused:
        o->on_type_paused(e.kind, e.next_at);
        return;
      case event_kind::type_resumed:
        o->on_type_paused(e.kind, 0);
        return;
      default: {
        job_outcome out;
        out.id = e.id;
        out.kind = outcome_of(e.what);
        out.error = e.error;
        out.finished_at = e.finished_at;
        if (e.what == event_kind::retrying)
          out.retry_at = e.next_at;
        o->on_finished(job_of(e), out, e.duration_us);
        return;
      }
    }
  };
}

}  // namespace meshjobs
