#include "meshjobs/messages/stats_json.hpp"

#include "meshjobs/messages/json.hpp"

namespace meshjobs::json {

std::string to_json(const runtime_stats& s) {
  writer w;
  w.begin_object();
  w.key("node").value(s.node);
  w.key("role").value(s.role);
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
  w.key("pool_threads").value(s.pool_threads);
  w.key("pool_written_off").value(s.pool_written_off);
  w.key("subscribers").begin_array();
  for (const auto& sub : s.subscribers) {
    w.begin_object();
    w.key("name").value(sub.name);
    w.key("queued").value(sub.queued);
    w.key("dropped").value(sub.dropped);
    w.end_object();
  }
  w.end_array();
  w.key("workers").begin_array();
  for (const auto& worker : s.workers) {
    w.begin_object();
    w.key("id").value(worker.id);
    w.key("node").value(worker.node);
    w.key("kinds").begin_array();
    for (const auto& kind : worker.kinds)
      w.value(kind);
    w.end_array();
    w.key("capacity").value(worker.capacity);
    w.key("credit").value(worker.credit);
    w.key("running").value(worker.running);
    w.key("paused_until").value(worker.paused_until);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

}  // namespace meshjobs::json
