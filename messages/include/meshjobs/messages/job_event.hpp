// One change of a job or a job type, as the coordinator published it after recording it. Events
// come in the coordinator's order (`seq`), and are serialisable, so they can cross nodes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/protocol.hpp"  // inspect(job_error)

namespace meshjobs {

enum class event_kind : std::uint8_t {
  enqueued,      ///< admitted into its queue
  scheduled,     ///< admitted for later (`next_at`)
  started,       ///< handed to an execution (`attempt` is this execution's)
  progress,      ///< a running job reported `percent` and `message`
  succeeded,
  retrying,      ///< failed; the next try is at `next_at`
  dead,
  discarded,
  cancelled,
  expired,
  requeued,      ///< handed back unstarted (a stop, a lost supervisor): back in its queue
  abandoned,     ///< still running when a stop's grace ended: left to the next start's recovery
  type_paused,   ///< the job type `kind` backs off until `next_at` (restart intensity)
  type_resumed,  ///< the job type `kind` takes jobs again
};

std::string_view to_string(event_kind k);

/// True for the kinds that end an execution or a job (succeeded ... abandoned).
bool is_outcome(event_kind k);

struct job_event {
  std::uint64_t seq = 0;     ///< the coordinator's order, from 1; a gap is what a subscriber lost
  event_kind what = event_kind::enqueued;
  timestamp at = 0;          ///< when the coordinator recorded the change
  job_id id = 0;             ///< 0 for type events
  std::string kind;          ///< the job's kind (the type's, for type events)
  std::string queue;
  std::int32_t attempt = 0;
  timestamp enqueued_at = 0;
  timestamp started_at = 0;
  timestamp finished_at = 0;
  timestamp next_at = 0;     ///< scheduled: run at; retrying: next try; type_paused: until
  std::int64_t duration_us = 0;  ///< the execution's wall time, for the outcome of one (0: it never ran)
  job_error error;           ///< the failure, for outcomes that have one
  std::int32_t percent = 0;  ///< progress
  std::string message;       ///< progress
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_event& x) {
  return f(x.seq, x.what, x.at, x.id, x.kind, x.queue, x.attempt, x.enqueued_at, x.started_at,
           x.finished_at, x.next_at, x.duration_us, x.error, x.percent, x.message);
}

namespace json {
/// One event as a JSON object (times as microseconds since the epoch).
std::string to_json(const job_event& e);
}  // namespace json

}  // namespace meshjobs
