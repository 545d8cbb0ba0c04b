#include "meshjobs/messages/job_event.hpp"

#include "meshjobs/messages/json.hpp"

namespace meshjobs {

std::string_view to_string(event_kind k) {
  switch (k) {
    case event_kind::enqueued:
      return "enqueued";
    case event_kind::scheduled:
      return "scheduled";
    case event_kind::started:
      return "started";
    case event_kind::progress:
      return "progress";
    case event_kind::succeeded:
      return "succeeded";
    case event_kind::retrying:
      return "retrying";
    case event_kind::dead:
      return "dead";
    case event_kind::discarded:
      return "discarded";
    case event_kind::cancelled:
      return "cancelled";
    case event_kind::expired:
      return "expired";
    case event_kind::requeued:
      return "requeued";
    case event_kind::abandoned:
      return "abandoned";
    case event_kind::type_paused:
      return "type_paused";
    case event_kind::type_resumed:
      return "type_resumed";
  }
  return "?";
}

bool is_outcome(event_kind k) {
  return k >= event_kind::succeeded && k <= event_kind::abandoned;
}

std::string json::to_json(const job_event& e) {
  writer w;
  w.begin_object();
  w.key("seq").value(e.seq);
  w.key("event").value(to_string(e.what));
  w.key("at").value(e.at);
  if (e.id != 0)
    w.key("id").value(e.id);
  w.key("kind").value(e.kind);
  if (e.id == 0) {
    if (e.what == event_kind::type_paused)
      w.key("until").value(e.next_at);
    w.end_object();
    return w.take();
  }
  w.key("queue").value(e.queue);
  w.key("attempt").value(e.attempt);
  w.key("enqueued_at").value(e.enqueued_at);
  if (e.started_at != 0)
    w.key("started_at").value(e.started_at);
  if (e.finished_at != 0)
    w.key("finished_at").value(e.finished_at);
  if (e.next_at != 0)
    w.key("next_at").value(e.next_at);
  if (is_outcome(e.what))
    w.key("duration_us").value(e.duration_us);
  if (e.what == event_kind::progress) {
    w.key("percent").value(e.percent);
    w.key("message").value(e.message);
  }
  if (!e.error.empty()) {
    w.key("error").begin_object();
    w.key("kind").value(e.error.kind);
    w.key("message").value(e.error.message);
    w.key("where").value(e.error.where);
    w.end_object();
  }
  w.end_object();
  return w.take();
}

}  // namespace meshjobs
