#include "events/log_observer.hpp"

#include <spdlog/spdlog.h>

namespace meshjobs {
namespace {

std::string_view outcome_name(outcome_kind k) {
  switch (k) {
    case outcome_kind::succeeded:
      return "succeeded";
    case outcome_kind::retry:
      return "failed, will retry";
    case outcome_kind::dead:
      return "failed for good (dead)";
    case outcome_kind::discarded:
      return "failed, discarded";
    case outcome_kind::cancelled:
      return "cancelled";
    case outcome_kind::requeued:
      return "requeued";
    case outcome_kind::abandoned:
      return "left to recovery";
  }
  return "?";
}

/// `: kind: message`, or nothing when there is no error (a cancel has none).
std::string error_suffix(const job_error& e) {
  if (e.kind.empty() && e.message.empty())
    return {};
  if (e.message.empty())
    return ": " + e.kind;
  return ": " + e.kind + ": " + e.message;
}

}  // namespace

event_mask log_observer::wanted() {
  if (spdlog::should_log(spdlog::level::debug))
    return all_events;
  return mask_of(event_kind::retrying) | mask_of(event_kind::dead) | mask_of(event_kind::discarded) |
         mask_of(event_kind::cancelled) | mask_of(event_kind::expired);
}

void log_observer::on_enqueued(const job& j) {
  spdlog::debug("job {} ({}) {} on {}", j.id, j.kind, to_string(j.state), j.queue);
}

void log_observer::on_started(const job& j) {
  spdlog::debug("job {} ({}) started, attempt {}", j.id, j.kind, j.attempt);
}

void log_observer::on_finished(const job& j, const job_outcome& o, std::int64_t duration_us) {
  switch (o.kind) {
    case outcome_kind::succeeded:
    case outcome_kind::requeued:
    case outcome_kind::abandoned:  // the coordinator warns of it
      spdlog::debug("job {} ({}) {} in {} us", j.id, j.kind, outcome_name(o.kind), duration_us);
      break;
    case outcome_kind::dead:
      spdlog::error("job {} ({}) {} after attempt {}{}", j.id, j.kind, outcome_name(o.kind), j.attempt,
                    error_suffix(o.error));
      break;
    default:
      spdlog::warn("job {} ({}) {} (attempt {}){}", j.id, j.kind, outcome_name(o.kind), j.attempt,
                   error_suffix(o.error));
      break;
  }
}

}  // namespace meshjobs
