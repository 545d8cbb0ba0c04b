#include "output.hpp"

#include <cstdio>

#include "meshjobs/messages/json.hpp"

namespace meshjobs::inject {

std::string status_json(job_id id, std::string_view status) {
  json::writer w;
  w.begin_object().key("id").value(id).key("status").value(status).end_object();
  return w.take();
}

std::string stats_json(const runtime_stats& s) {
  json::writer w;
  w.begin_object();
  w.key("enqueued").value(s.enqueued);
  w.key("scheduled").value(s.scheduled);
  w.key("retrying").value(s.retrying);
  w.key("running").value(s.running);
  w.key("dead").value(s.dead);
  w.key("processed").value(s.processed);
  w.key("failed").value(s.failed);
  w.key("store_healthy").value(s.store_healthy);
  w.key("store_error").value(s.store_error);
  w.key("store_failures").value(s.store_failures);
  w.key("queues").begin_array();
  for (const auto& q : s.queues) {
    w.begin_object();
    w.key("name").value(q.name);
    w.key("weight").value(q.weight);
    w.key("limit").value(q.limit);
    w.key("paused").value(q.paused);
    w.key("size").value(q.size);
    w.key("running").value(q.running);
    w.end_object();
  }
  w.end_array();
  w.key("types").begin_array();
  for (const auto& t : s.types) {
    w.begin_object();
    w.key("kind").value(t.kind);
    w.key("running").value(t.running);
    w.key("succeeded").value(t.succeeded);
    w.key("failed").value(t.failed);
    w.key("paused").value(t.paused);
    w.key("paused_until").value(t.paused_until);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

void print_line(const std::string& json) {
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
}

void print_error(std::string_view message) {
  json::writer w;
  w.begin_object().key("error").value(message).end_object();
  std::fprintf(stderr, "%s\n", w.str().c_str());
}

}  // namespace meshjobs::inject
