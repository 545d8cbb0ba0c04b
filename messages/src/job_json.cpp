// The job envelope as JSON: what the store, the HTTP API and the logs show of one job.
#include "meshjobs/messages/json.hpp"

namespace meshjobs::json {
namespace {

// Arguments that are not a JSON object are a bug upstream; writing them as a string keeps
// the envelope readable and shows what was actually stored.
void write_args(writer& w, std::string_view args) {
  if (check_object(args, "args"))
    w.value(args);
  else
    w.raw(args);
}

void write_error(writer& w, const job_error& error) {
  if (error.empty()) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("kind").value(error.kind);
  w.key("message").value(error.message);
  w.key("where").value(error.where);
  w.end_object();
}

}  // namespace

std::string to_json(const job& j) {
  writer w;
  w.begin_object();
  w.key("id").value(j.id);
  w.key("kind").value(j.kind);
  w.key("queue").value(j.queue);
  w.key("args");
  write_args(w, j.args);
  w.key("priority").value(j.priority);
  w.key("attempt").value(j.attempt);
  w.key("max_attempts").value(j.max_attempts);
  w.key("recoveries").value(j.recoveries);
  w.key("state").value(to_string(j.state));
  w.key("unique").value(to_string(j.unique));
  w.key("unique_key").value(j.unique_key);
  w.key("enqueued_at").value(j.enqueued_at);
  w.key("run_at").value(j.run_at);
  w.key("started_at").value(j.started_at);
  w.key("finished_at").value(j.finished_at);
  w.key("expires_at").value(j.expires_at);
  w.key("last_error");
  write_error(w, j.last_error);
  w.key("progress").value(j.progress);
  w.key("progress_message").value(j.progress_message);
  w.end_object();
  return w.take();
}

}  // namespace meshjobs::json
