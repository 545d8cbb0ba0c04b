#include "command_line.hpp"

#include <CLI/CLI.hpp>

#include <limits>
#include <sstream>

#include "meshjobs/messages/json.hpp"
#include "time_input.hpp"

namespace meshjobs::inject {
namespace {

constexpr std::uint32_t default_list_limit = 1000;

/// Everything CLI11 fills in, before it is checked and turned into an invocation.
struct raw_input {
  std::string node, timeout = "10s";
  std::string kind, args = "{}", queue, in, at, expires_in, unique_mode, unique_key;
  std::string on_conflict = "log";
  std::int32_t priority = 0;
  bool unique = false;
  std::string state;
  std::uint32_t limit = default_list_limit;
  job_id id = 0;
  std::string payload;
};

struct subcommands {
  CLI::App* enqueue;
  CLI::App* stats;
  CLI::App* jobs;
  CLI::App* get;
  CLI::App* cancel;
  CLI::App* signal;
  CLI::Option* priority;
};

subcommands define(CLI::App& app, raw_input& in) {
  app.require_subcommand(1);
  app.fallthrough();  // --node and --timeout may also follow the command
  app.add_option("--node", in.node, "the node's inject address, HOST:PORT (node.inject_port)")->required();
  app.add_option("--timeout", in.timeout, "how long to wait for the node: 500ms, 10s... (default 10s)");

  subcommands s{};
  s.enqueue = app.add_subcommand("enqueue", "enqueue a job; prints {\"id\":..,\"status\":..}");
  s.enqueue->add_option("kind", in.kind, "job kind, e.g. demo.record")->required();
  s.enqueue->add_option("--args", in.args, "the job's arguments, a JSON object (default {})");
  s.enqueue->add_option("--queue", in.queue, "queue (default: the job type's)");
  s.priority = s.enqueue->add_option("--priority", in.priority, "higher runs first within a queue");
  auto* delay = s.enqueue->add_option("--in", in.in, "run after a delay: 500ms, 30s, 5m, 2h");
  auto* at = s.enqueue->add_option("--at", in.at, "run at a time: 2026-11-29T10:00:00Z or epoch seconds");
  delay->excludes(at);
  s.enqueue->add_flag("--unique", in.unique, "no duplicate while one is pending (until_executed)");
  s.enqueue->add_option("--unique-mode", in.unique_mode,
                        "until_executed, until_executing or while_executing (implies --unique)");
  s.enqueue->add_option("--unique-key", in.unique_key, "the uniqueness key (default: kind + args)");
  s.enqueue->add_option("--on-conflict", in.on_conflict, "a duplicate is reported (log) or refused (reject)")
    ->check(CLI::IsMember({"log", "reject"}));
  s.enqueue->add_option("--expires-in", in.expires_in, "not started by then: expired (e.g. 1h)");

  s.stats = app.add_subcommand("stats", "queues, job types and counts, as one JSON object");
  s.jobs = app.add_subcommand("jobs", "jobs in one state, one JSON line each");
  s.jobs->add_option("--state", in.state, "scheduled, enqueued, running, retrying, dead, succeeded...")
    ->required();
  s.jobs->add_option("--limit", in.limit, "at most this many (default 1000)")
    ->check(CLI::Range(std::uint32_t{1}, std::numeric_limits<std::uint32_t>::max()));
  s.get = app.add_subcommand("get", "one job as JSON");
  s.get->add_option("id", in.id, "job id")->required();
  s.cancel = app.add_subcommand("cancel", "cancel a queued or scheduled job, stop a running one");
  s.cancel->add_option("id", in.id, "job id")->required();
  s.signal = app.add_subcommand("signal", "send a JSON object to the execution running a job");
  s.signal->add_option("id", in.id, "job id")->required();
  s.signal->add_option("payload", in.payload, "a JSON object, e.g. '{\"status\":\"completed\"}'")->required();
  return s;
}

std::variant<node_address, usage_error> parse_node(const std::string& text) {
  usage_error bad{"--node: \"" + text + "\" is not HOST:PORT (e.g. 127.0.0.1:4100)"};
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return bad;
  node_address out;
  out.host = text.substr(0, colon);
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  unsigned long port = 0;
  for (auto c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535)
      return bad;
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port == 0 || port > 65535)
    return usage_error{"--node: port must be 1..65535 (got \"" + text.substr(colon + 1) + "\")"};
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

timestamp now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::variant<enqueue_command, usage_error> make_enqueue(const raw_input& in, bool has_priority) {
  enqueue_command cmd;
  auto& req = cmd.request;
  req.kind = in.kind;
  if (auto err = json::check_object(in.args, "--args"))
    return usage_error{err->message};
  req.args = in.args;
  req.queue = in.queue;
  req.has_priority = has_priority;
  req.priority = in.priority;
  if (!in.in.empty()) {
    auto wait = parse_duration(in.in, "--in");
    if (auto* err = std::get_if<input_error>(&wait))
      return usage_error{err->message};
    req.wait_us = std::get<std::chrono::microseconds>(wait).count();
  }
  if (!in.at.empty()) {
    auto at = parse_time(in.at, "--at");
    if (auto* err = std::get_if<input_error>(&at))
      return usage_error{err->message};
    req.run_at = std::get<timestamp>(at);
  }
  if (!in.expires_in.empty()) {
    auto ttl = parse_duration(in.expires_in, "--expires-in");
    if (auto* err = std::get_if<input_error>(&ttl))
      return usage_error{err->message};
    req.expires_at = now_us() + std::get<std::chrono::microseconds>(ttl).count();
  }
  if (in.unique || !in.unique_mode.empty() || !in.unique_key.empty()) {
    req.has_unique = true;
    req.unique = unique_mode::until_executed;
    if (!in.unique_mode.empty()) {
      auto mode = unique_mode_from_string(in.unique_mode);
      if (!mode || *mode == unique_mode::none)
        return usage_error{"--unique-mode: \"" + in.unique_mode +
                           "\" is not until_executed, until_executing or while_executing"};
      req.unique = *mode;
    }
    req.unique_key = in.unique_key;
    req.on_conflict = in.on_conflict == "reject" ? unique_conflict::reject : unique_conflict::log;
  }
  return cmd;
}

std::variant<command, usage_error> make_command(const subcommands& s, const raw_input& in) {
  if (s.enqueue->parsed()) {
    auto made = make_enqueue(in, s.priority->count() > 0);
    if (auto* err = std::get_if<usage_error>(&made))
      return *err;
    return command{std::get<enqueue_command>(std::move(made))};
  }
  if (s.jobs->parsed()) {
    auto state = job_state_from_string(in.state);
    if (!state)
      return usage_error{"--state: \"" + in.state +
                         "\" is not a job state (scheduled, enqueued, running, succeeded, retrying, "
                         "dead, discarded, cancelled, expired)"};
    return command{jobs_command{*state, in.limit}};
  }
  if (s.get->parsed())
    return command{get_command{in.id}};
  if (s.cancel->parsed())
    return command{cancel_command{in.id}};
  if (s.signal->parsed()) {
    if (auto err = json::check_object(in.payload, "signal payload"))
      return usage_error{err->message};
    return command{signal_command{in.id, in.payload}};
  }
  return command{stats_command{}};
}

}  // namespace

parse_result parse_command_line(int argc, char** argv) {
  CLI::App app{"meshjobs-inject: enqueue and inspect jobs on a running meshjobs node.\n"
               "Prints JSON lines. Exit codes: 0 ok, 1 the node said no, 2 usage, 3 no answer."};
  raw_input in;
  auto sub = define(app, in);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      std::ostringstream out, err;
      app.exit(e, out, err);
      return help_request{out.str()};
    }
    auto unknown = app.remaining();
    if (!app.get_subcommands().empty() || unknown.empty())
      return usage_error{e.what()};
    return usage_error{"unknown command \"" + unknown.front() +
                       "\" (expected enqueue, stats, jobs, get, cancel or signal)"};
  }
  invocation inv;
  auto node = parse_node(in.node);
  if (auto* err = std::get_if<usage_error>(&node))
    return *err;
  inv.node = std::get<node_address>(std::move(node));
  auto timeout = parse_duration(in.timeout, "--timeout");
  if (auto* err = std::get_if<input_error>(&timeout))
    return usage_error{err->message};
  inv.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(std::get<std::chrono::microseconds>(timeout));
  if (inv.timeout.count() <= 0)
    return usage_error{"--timeout: must be at least 1ms (got \"" + in.timeout + "\")"};
  auto what = make_command(sub, in);
  if (auto* err = std::get_if<usage_error>(&what))
    return *err;
  inv.what = std::get<command>(std::move(what));
  return inv;
}

}  // namespace meshjobs::inject
