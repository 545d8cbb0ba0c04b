#include "commands.hpp"

#include <algorithm>

#include "events_command.hpp"
#include "exit_codes.hpp"
#include "meshjobs/messages/json.hpp"
#include "meshjobs/messages/stats_json.hpp"
#include "output.hpp"

namespace meshjobs::inject {
namespace {

/// Prints the transport error and returns its exit code, or returns the answer.
template <class T>
const T* answered(const answer<T>& a, int& code) {
  if (const auto* err = std::get_if<transport_error>(&a)) {
    print_error(err->message);
    code = exit_unreachable;
    return nullptr;
  }
  return &std::get<T>(a);
}

int run(const enqueue_command& cmd, front_connection& node) {
  int code = exit_ok;
  auto a = node.enqueue(cmd.request);
  const auto* reply = answered(a, code);
  if (reply == nullptr)
    return code;
  if (reply->status == enqueue_status::refused) {
    print_error(reply->error);
    return exit_refused;
  }
  print_line(status_json(reply->id, to_string(reply->status)));
  return exit_ok;
}

int run(const stats_command&, front_connection& node) {
  int code = exit_ok;
  auto a = node.stats();
  if (const auto* s = answered(a, code))
    print_line(json::to_json(*s));
  return code;
}

int run(const jobs_command& cmd, front_connection& node) {
  int code = exit_ok;
  auto a = node.list(cmd.query);
  const auto* page = answered(a, code);
  if (page == nullptr)
    return code;
  for (const auto& j : page->jobs)
    print_line(json::to_json(j));
  if (page->next_cursor != 0)
    print_next_page(page->next_cursor);
  return code;
}

int run(const get_command& cmd, front_connection& node) {
  int code = exit_ok;
  auto a = node.lookup(cmd.id);
  const auto* found = answered(a, code);
  if (found == nullptr)
    return code;
  if (!found->found) {
    print_error("job " + std::to_string(cmd.id) + ": not found (never enqueued, or finished too long ago)");
    return exit_refused;
  }
  print_line(json::to_json(found->value));
  return exit_ok;
}

int run(const cancel_command& cmd, front_connection& node) {
  int code = exit_ok;
  auto a = node.cancel(cmd.id);
  const auto* status = answered(a, code);
  if (status == nullptr)
    return code;
  auto id = std::to_string(cmd.id);
  switch (*status) {
    case cancel_status::cancelled:
    case cancel_status::stopping:
      print_line(status_json(cmd.id, to_string(*status)));
      return exit_ok;
    case cancel_status::not_found:
      print_error("job " + id + ": not found");
      return exit_refused;
    case cancel_status::finished:
      print_error("job " + id + ": already finished; nothing to cancel");
      return exit_refused;
  }
  return exit_refused;
}

int run(const retry_command& cmd, front_connection& node) {
  int code = exit_ok;
  auto a = node.retry_dead(cmd.id);
  const auto* retried = answered(a, code);
  if (retried == nullptr)
    return code;
  if (!*retried) {
    print_error("job " + std::to_string(cmd.id) + ": not dead (only a dead job can be retried), or not found");
    return exit_refused;
  }
  print_line(status_json(cmd.id, "enqueued"));
  return exit_ok;
}

int run(const pause_command& cmd, front_connection& node) {
  int code = exit_ok;
  auto a = node.pause(cmd.queue, cmd.paused);
  const auto* known = answered(a, code);
  if (known == nullptr)
    return code;
  if (!*known) {
    print_error("queue \"" + cmd.queue + "\": not in the node's config");
    return exit_refused;
  }
  json::writer w;
  w.begin_object().key("queue").value(cmd.queue).key("status").value(cmd.paused ? "paused" : "resumed").end_object();
  print_line(w.take());
  return exit_ok;
}

int run(const events_command&, front_connection& node) { return run_events(node); }

int run(const batch_command& cmd, front_connection& node) {
  int code = exit_ok;
  auto a = node.view("batch", std::to_string(cmd.id));
  const auto* text = answered(a, code);
  if (text == nullptr)
    return code;
  auto parsed = json::object::parse(*text, "answer");
  if (auto* o = std::get_if<json::object>(&parsed); o && o->has("error")) {
    print_error("batch " + std::to_string(cmd.id) + ": " + o->get_string("detail").value_or(*text));
    return exit_refused;
  }
  print_line(*text);
  return exit_ok;
}

int run(const signal_command& cmd, front_connection& node) {
  int code = exit_ok;
  auto a = node.signal(cmd.id, cmd.payload);
  const auto* status = answered(a, code);
  return status == nullptr ? code : report_signal(cmd, *status);
}

/// One line per node: the answering node first (its own supervisors, if it runs any, are
/// its kinds), then each node whose workers registered with it, in the order they joined.
int run(const nodes_command&, front_connection& node) {
  int code = exit_ok;
  auto a = node.stats();
  const auto* s = answered(a, code);
  if (s == nullptr)
    return code;
  struct node_line {
    std::string name, role;
    std::vector<std::string> kinds;
    std::int64_t capacity = 0, busy = 0;
  };
  std::vector<node_line> lines{{s->node, s->role, {}, 0, 0}};
  for (const auto& w : s->workers) {
    auto line = std::find_if(lines.begin(), lines.end(), [&](const node_line& l) { return l.name == w.node; });
    if (line == lines.end())
      line = lines.insert(lines.end(), node_line{w.node, "worker", {}, 0, 0});
    line->kinds.insert(line->kinds.end(), w.kinds.begin(), w.kinds.end());
    line->capacity += w.capacity;
    line->busy += static_cast<std::int64_t>(w.running);
  }
  for (const auto& l : lines) {
    json::writer w;
    w.begin_object().key("node").value(l.name).key("role").value(l.role).key("kinds").begin_array();
    for (const auto& k : l.kinds)
      w.value(k);
    w.end_array().key("capacity").value(l.capacity).key("busy").value(l.busy).end_object();
    print_line(w.take());
  }
  return exit_ok;
}

}  // namespace

int run_command(const command& what, front_connection& node) {
  return std::visit([&](const auto& cmd) { return run(cmd, node); }, what);
}

}  // namespace meshjobs::inject
