#include "command_line.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <limits>
#include <sstream>

#include "args_input.hpp"
#include "meshjobs/messages/json.hpp"
#include "time_input.hpp"

namespace meshjobs::inject {
namespace {

constexpr std::uint32_t default_list_limit = job_query::max_limit;
/// A request waits at most this long: longer is a typo, and CAF's timers count in nanoseconds.
constexpr std::chrono::hours max_timeout{24};
/// An idempotency key is an identifier, not a payload: the node keeps many of them.
constexpr std::size_t max_idempotency_key = 200;

/// What `send TYPE JSON` was given.
struct send_input {
  std::string type, json;
};

/// Everything CLI11 fills in, as text, before it is checked and turned into an invocation.
struct raw_input {
  std::string node, timeout = "10s";
  link_options link;
  std::string kind, args = "{}", args_file, queue, priority, in, at, expires_in, unique_mode, unique_key;
  std::string on_conflict = "log", idempotency_key;
  bool unique = false;
  std::string state, list_queue, list_kind, before;
  std::uint32_t limit = default_list_limit;
  std::string id, queue_name, payload;
  send_input send;
};

/// One subcommand and the options whose presence matters even when their value is empty.
struct subcommand {
  CLI::App* app = nullptr;
  std::vector<CLI::Option*> non_empty;  ///< given, these must not be ""
};

struct subcommands {
  subcommand enqueue, stats, jobs, get, cancel, retry, pause, resume, events, signal, batch, nodes, send;
};


subcommand define_enqueue(CLI::App& app, raw_input& in) {
  subcommand s;
  s.app = app.add_subcommand("enqueue", "enqueue a job; prints {\"id\":..,\"status\":..}");
  s.app->footer("Example: meshjobs-inject --node 127.0.0.1:4100 enqueue demo.record --args '{\"n\":1}' "
                "--idempotency-key order-42");
  s.app->add_option("kind", in.kind, "job kind, e.g. demo.record")->required();
  auto* args = s.app->add_option("--args", in.args, "the job's arguments, a JSON object (default {}); - reads stdin");
  auto* file = s.app->add_option("--args-file", in.args_file, "read the arguments from this file");
  args->excludes(file);
  auto* queue = s.app->add_option("--queue", in.queue, "queue (default: the job type's)");
  auto* priority = s.app->add_option("--priority", in.priority, "higher runs first within a queue");
  auto* delay = s.app->add_option("--in", in.in, "run after a delay: 500ms, 30s, 5m, 2h (at most 100 years)");
  auto* at = s.app->add_option("--at", in.at, "run at a time: 2026-11-29T10:00:00Z or epoch seconds");
  delay->excludes(at);
  s.app->add_flag("--unique", in.unique, "no duplicate while one is pending (until_executed)");
  auto* mode = s.app->add_option("--unique-mode", in.unique_mode,
                                 "until_executed, until_executing or while_executing (implies --unique)");
  auto* key = s.app->add_option("--unique-key", in.unique_key, "the uniqueness key (default: kind + args)");
  s.app->add_option("--on-conflict", in.on_conflict, "a duplicate is reported (log) or refused (reject)")
    ->check(CLI::IsMember({"log", "reject"}));
  auto* expires = s.app->add_option("--expires-in", in.expires_in, "not started by then: expired (e.g. 1h)");
  auto* idempotency = s.app->add_option(
    "--idempotency-key", in.idempotency_key,
    "a retry with the same key within 24 h returns the first job (status \"replayed\") instead of a new one");
  s.non_empty = {args, file, queue, priority, delay, at, mode, key, expires, idempotency};
  return s;
}

subcommand define_id_command(CLI::App& app, raw_input& in, const char* name, const char* what,
                             const char* example) {
  subcommand s;
  s.app = app.add_subcommand(name, what);
  s.app->footer(std::string{"Example: meshjobs-inject --node 127.0.0.1:4100 "} + example);
  s.app->add_option("id", in.id, "job id")->required();
  return s;
}

subcommand define_queue_command(CLI::App& app, raw_input& in, const char* name, const char* what) {
  subcommand s;
  s.app = app.add_subcommand(name, what);
  s.app->footer(std::string{"Example: meshjobs-inject --node 127.0.0.1:4100 "} + name + " default");
  s.non_empty = {s.app->add_option("queue", in.queue_name, "queue name, as in the node's config")->required()};
  return s;
}

/// By default the node's own credentials in ./meshjobs-keys, where a node with the default
/// config keeps them when started in the same directory.
void define_link_options(CLI::App& app, link_options& link) {
  const char* group = "Credentials (default: the node's, in ./meshjobs-keys)";
  app.add_option("--config", link.config_path, "the node's config: use the credentials it names")->group(group);
  app.add_option("--keys", link.keys_dir, "a node's keys directory (security.keys_dir)")->group(group);
  auto* ca = app.add_option("--ca", link.ca, "CA certificate (PEM) the node's certificate must chain to")->group(group);
  auto* cert = app.add_option("--cert", link.cert, "this client's certificate (PEM), signed by the node's CA")->group(group);
  auto* key = app.add_option("--key", link.key, "its private key (PEM, mode 600)")->group(group);
  ca->needs(cert, key);
  cert->needs(ca, key);
  key->needs(ca, cert);
  app.add_option("--secret-file", link.secret_file,
                 "file holding the cluster secret (mode 600); else $MESHJOBS_CLUSTER_SECRET, else the keys "
                 "directory's cluster.secret")->group(group);
  app.add_flag("--plaintext", link.plaintext, "the node's security.transport is plaintext (no TLS)")->group(group);
}

subcommands define(CLI::App& app, raw_input& in) {
  app.require_subcommand(1);
  app.fallthrough();  // --node and --timeout may also follow the command
  app.add_option("--node", in.node, "the node's inject address, HOST:PORT (node.inject_port)")->required();
  app.add_option("--timeout", in.timeout, "how long to wait for the node: 500ms, 10s... (default 10s, at most 24h)");
  define_link_options(app, in.link);

  subcommands s{};
  s.enqueue = define_enqueue(app, in);
  s.stats.app = app.add_subcommand("stats", "queues, job types and counts, as one JSON object");
  s.stats.app->footer("Example: meshjobs-inject --node 127.0.0.1:4100 stats");
  s.jobs.app = app.add_subcommand("list", "a page of jobs, newest first, one JSON line each "
                                          "(alias: jobs)");
  s.jobs.app->alias("jobs");
  s.jobs.app->add_option("--state", in.state, "scheduled, enqueued, running, retrying, dead, succeeded...");
  s.jobs.non_empty.push_back(s.jobs.app->add_option("--queue", in.list_queue, "only this queue's jobs"));
  s.jobs.non_empty.push_back(s.jobs.app->add_option("--kind", in.list_kind, "only jobs of this kind"));
  s.jobs.app->add_option("--before", in.before, "only ids below this one (a page's cursor)");
  s.jobs.app->add_option("--limit", in.limit, "at most this many (default and most: 1000)")
    ->check(CLI::Range(std::uint32_t{1}, job_query::max_limit));
  s.jobs.app->footer("Example: meshjobs-inject --node 127.0.0.1:4100 list --state succeeded "
                     "--queue default --kind demo.record --limit 50 --before 1200\n"
                     "A page with more after it ends with {\"next_page\": {\"before\": ID}} on stderr: "
                     "pass --before ID for the next; pages neither skip nor repeat a job while "
                     "others come.");
  s.get = define_id_command(app, in, "get", "one job as JSON", "get 42");
  s.cancel = define_id_command(app, in, "cancel", "cancel a queued or scheduled job, stop a running one",
                               "cancel 42");
  s.retry = define_id_command(app, in, "retry", "move a dead job back to its queue with fresh attempts",
                              "retry 42");
  s.pause = define_queue_command(app, in, "pause", "stop dispatching from a queue (jobs wait, enqueue goes on)");
  s.resume = define_queue_command(app, in, "resume", "dispatch from a paused queue again");
  s.events.app = app.add_subcommand("events", "stream the node's events as JSON lines until Ctrl-C");
  s.events.app->footer("Example: meshjobs-inject --node 127.0.0.1:4100 events");
  s.signal = define_id_command(app, in, "signal", "send a JSON object to the execution running a job",
                               "signal 42 '{\"status\":\"completed\"}'");
  s.signal.app->add_option("payload", in.payload, "a JSON object, e.g. '{\"status\":\"completed\"}'")
    ->required();
  s.batch = define_id_command(app, in, "batch", "a batch and each image's status, as JSON (first 10,000 images)",
                              "batch 42");
  s.nodes.app = app.add_subcommand("nodes", "the cluster's nodes, one JSON line each: the node answering "
                                            "(standalone or head) first, then each worker node: its role, "
                                            "kinds, capacity and busy jobs");
  s.nodes.app->footer("Example: meshjobs-inject --node 127.0.0.1:4100 nodes");
  s.send.app = app.add_subcommand("send", "send any message of the client interface, its arguments as one "
                                          "JSON object; prints what the command of the same name prints");
  s.send.app->add_option("type", in.send.type,
                         "enqueue, get (or lookup), list, cancel, retry, pause, resume, signal, stats, batch, nodes")
    ->required();
  s.send.app->add_option("json", in.send.json, "the message's arguments by name, e.g. {\"id\":42}")->required();
  s.send.app->footer("Example: meshjobs-inject --node 127.0.0.1:4100 send enqueue "
                     "'{\"kind\":\"demo.sleep\",\"args\":{\"ms\":50},\"queue\":\"default\",\"priority\":5}'\n"
                     "More:\n"
                     "  meshjobs-inject --node 127.0.0.1:4100 send list '{\"state\":\"dead\",\"limit\":10}'\n"
                     "  meshjobs-inject --node 127.0.0.1:4100 send signal '{\"id\":42,\"payload\":{\"status\":\"completed\"}}'\n"
                     "Members: enqueue: kind, args, queue, priority, in, at, expires_in, unique, unique_mode, "
                     "unique_key, on_conflict, idempotency_key; get, cancel, retry, batch: id; list: state, queue, "
                     "kind, before, limit; pause, resume: queue; signal: id, payload; stats, nodes: none.");
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

/// Digits only, 1 or more: CLI11 would read `-1` as 2^64 - 1 and `""` as 0.
std::variant<job_id, usage_error> parse_job_id(const std::string& text) {
  usage_error bad{"id: \"" + text + "\" is not a job id (a positive whole number, e.g. 42)"};
  job_id id = 0;
  const auto* end = text.data() + text.size();
  if (text.empty() || text.front() < '0' || text.front() > '9')
    return bad;
  auto [ptr, ec] = std::from_chars(text.data(), end, id);
  if (ec == std::errc::result_out_of_range)
    return usage_error{"id: \"" + text + "\" is larger than any job id"};
  if (ec != std::errc{} || ptr != end || id == 0)
    return bad;
  return id;
}

std::variant<std::int32_t, usage_error> parse_priority(const std::string& text) {
  std::int32_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end)
    return usage_error{"--priority: \"" + text + "\" is not a whole number from " +
                       std::to_string(std::numeric_limits<std::int32_t>::min()) + " to " +
                       std::to_string(std::numeric_limits<std::int32_t>::max())};
  return value;
}

timestamp now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<usage_error> read_job_args(const raw_input& in, enqueue_request& req) {
  if (!in.args_file.empty() || in.args == "-") {
    auto text = read_args(in.args_file.empty() ? "-" : in.args_file, in.args_file.empty() ? "--args" : "--args-file");
    if (auto* err = std::get_if<input_error>(&text))
      return usage_error{err->message};
    req.args = std::get<std::string>(std::move(text));
  } else {
    req.args = in.args;
  }
  const auto* option = in.args_file.empty() ? "--args" : "--args-file";
  if (auto err = json::check_object(req.args, option))
    return usage_error{err->message};
  return std::nullopt;
}

std::optional<usage_error> read_times(const raw_input& in, enqueue_request& req) {
  const auto now = now_us();
  if (!in.in.empty()) {
    auto wait = parse_duration(in.in, "--in");
    if (auto* err = std::get_if<input_error>(&wait))
      return usage_error{err->message};
    req.wait_us = std::get<std::chrono::microseconds>(wait).count();
  }
  if (!in.at.empty()) {
    auto at = parse_time(in.at, "--at", now);
    if (auto* err = std::get_if<input_error>(&at))
      return usage_error{err->message};
    req.run_at = std::get<timestamp>(at);
  }
  if (!in.expires_in.empty()) {
    auto ttl = parse_duration(in.expires_in, "--expires-in");
    if (auto* err = std::get_if<input_error>(&ttl))
      return usage_error{err->message};
    req.expires_at = now + std::get<std::chrono::microseconds>(ttl).count();
  }
  return std::nullopt;
}

std::variant<enqueue_command, usage_error> make_enqueue(const raw_input& in, bool has_priority) {
  enqueue_command cmd;
  auto& req = cmd.request;
  req.kind = in.kind;
  if (auto err = read_job_args(in, req))
    return *err;
  req.queue = in.queue;
  if (has_priority) {
    auto priority = parse_priority(in.priority);
    if (auto* err = std::get_if<usage_error>(&priority))
      return *err;
    req.has_priority = true;
    req.priority = std::get<std::int32_t>(priority);
  }
  if (auto err = read_times(in, req))
    return *err;
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
  if (in.idempotency_key.size() > max_idempotency_key)
    return usage_error{"--idempotency-key: " + std::to_string(in.idempotency_key.size()) +
                       " bytes; at most " + std::to_string(max_idempotency_key)};
  req.idempotency_key = in.idempotency_key;
  return cmd;
}

/// An option given with an empty value is an error, not its default.
std::optional<usage_error> check_non_empty(const subcommand& s) {
  for (const auto* opt : s.non_empty)
    if (opt->count() > 0 && opt->as<std::string>().empty())
      return usage_error{opt->get_name() + ": empty; give a value or leave the option out"};
  return std::nullopt;
}

template <class Command>
std::variant<command, usage_error> with_id(const std::string& text) {
  auto id = parse_job_id(text);
  if (auto* err = std::get_if<usage_error>(&id))
    return *err;
  return command{Command{std::get<job_id>(id)}};
}

/// Which optional inputs were given at all (an empty value given is not the same as none).
struct given {
  bool priority = false, state = false, before = false;
};

/// The command named `name` from the inputs, checked.
std::variant<command, usage_error> make_named(const std::string& name, const raw_input& in, const given& has) {
  if (name == "enqueue") {
    auto made = make_enqueue(in, has.priority);
    if (auto* err = std::get_if<usage_error>(&made))
      return *err;
    return command{std::get<enqueue_command>(std::move(made))};
  }
  if (name == "list") {
    jobs_command cmd;
    if (has.state) {
      auto state = job_state_from_string(in.state);
      if (!state)
        return usage_error{"--state: \"" + in.state +
                           "\" is not a job state (scheduled, enqueued, running, succeeded, retrying, "
                           "dead, discarded, cancelled, expired)"};
      cmd.query.by_state = true;
      cmd.query.state = *state;
    }
    if (has.before) {
      auto before = parse_job_id(in.before);
      if (auto* err = std::get_if<usage_error>(&before))
        return usage_error{"--before: " + err->message};
      cmd.query.before_id = std::get<job_id>(before);
    }
    cmd.query.queue = in.list_queue;
    cmd.query.kind = in.list_kind;
    cmd.query.limit = in.limit;
    return command{std::move(cmd)};
  }
  if (name == "get")
    return with_id<get_command>(in.id);
  if (name == "cancel")
    return with_id<cancel_command>(in.id);
  if (name == "retry")
    return with_id<retry_command>(in.id);
  if (name == "pause" || name == "resume")
    return command{pause_command{in.queue_name, name == "pause"}};
  if (name == "events")
    return command{events_command{}};
  if (name == "batch")
    return with_id<batch_command>(in.id);
  if (name == "nodes")
    return command{nodes_command{}};
  if (name == "signal") {
    if (auto err = json::check_object(in.payload, "signal payload"))
      return usage_error{err->message};
    auto id = parse_job_id(in.id);
    if (auto* bad = std::get_if<usage_error>(&id))
      return *bad;
    return command{signal_command{std::get<job_id>(id), in.payload}};
  }
  return command{stats_command{}};
}

/// A JSON member as the command line would give it: strings as they are, numbers and booleans
/// as their text, objects and arrays as JSON.
std::optional<std::string> member_text(const json::object& o, const std::string& key) {
  if (auto text = o.get_string(key))
    return text;
  if (auto b = o.get_bool(key))
    return std::string{*b ? "true" : "false"};
  return o.get_raw(key);
}

/// `send TYPE JSON`: the members are the inputs of the command named TYPE.
std::variant<command, usage_error> make_send(const send_input& send, raw_input in) {
  static const std::map<std::string, std::vector<std::string>> members = {
    {"enqueue", {"kind", "args", "queue", "priority", "in", "at", "expires_in", "unique", "unique_mode", "unique_key",
                 "on_conflict", "idempotency_key"}},
    {"get", {"id"}}, {"cancel", {"id"}}, {"retry", {"id"}}, {"batch", {"id"}},
    {"list", {"state", "queue", "kind", "before", "limit"}},
    {"pause", {"queue"}}, {"resume", {"queue"}},
    {"signal", {"id", "payload"}},
    {"stats", {}}, {"nodes", {}},
  };
  auto type = send.type == "lookup" ? std::string{"get"} : send.type;
  auto known = members.find(type);
  if (known == members.end())
    return usage_error{"send: \"" + send.type + "\" is not a message type (enqueue, get, list, cancel, retry, pause, "
                       "resume, signal, stats, batch, nodes)"};
  auto parsed = json::object::parse(send.json, "send " + type);
  if (auto* err = std::get_if<json::parse_error>(&parsed))
    return usage_error{err->message};
  const auto& o = std::get<json::object>(parsed);
  const auto& allowed = known->second;
  for (const auto& key : o.keys())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return usage_error{"send " + type + ": member \"" + key + "\" is not one of its arguments" +
                         (allowed.empty() ? std::string{" (it takes none)"} : "")};
  given has;
  auto text = [&](const char* key, std::string& out) {
    if (auto value = member_text(o, key)) {
      out = *value;
      return true;
    }
    return false;
  };
  if (type == "enqueue") {
    if (!text("kind", in.kind) || in.kind.empty())
      return usage_error{"send enqueue: member \"kind\" is required (e.g. \"demo.noop\")"};
    text("args", in.args);
    text("queue", in.queue);
    has.priority = text("priority", in.priority);
    text("in", in.in);
    text("at", in.at);
    text("expires_in", in.expires_in);
    std::string unique;
    in.unique = text("unique", unique) && unique == "true";
    text("unique_mode", in.unique_mode);
    text("unique_key", in.unique_key);
    text("on_conflict", in.on_conflict);
    if (in.on_conflict != "log" && in.on_conflict != "reject")
      return usage_error{"send enqueue: on_conflict: \"" + in.on_conflict + "\" is not log or reject"};
    text("idempotency_key", in.idempotency_key);
  } else if (type == "list") {
    has.state = text("state", in.state);
    text("queue", in.list_queue);
    text("kind", in.list_kind);
    has.before = text("before", in.before);
    if (auto limit = o.get_int("limit")) {
      if (*limit < 1 || *limit > job_query::max_limit)
        return usage_error{"send list: limit must be from 1 to " + std::to_string(job_query::max_limit)};
      in.limit = static_cast<std::uint32_t>(*limit);
    }
  } else if (type == "pause" || type == "resume") {
    if (!text("queue", in.queue_name) || in.queue_name.empty())
      return usage_error{"send " + type + ": member \"queue\" is required"};
  } else if (!allowed.empty()) {
    if (!text("id", in.id))
      return usage_error{"send " + type + ": member \"id\" is required (a job id)"};
    if (type == "signal" && !text("payload", in.payload))
      return usage_error{"send signal: member \"payload\" is required (a JSON object)"};
  }
  return make_named(type, in, has);
}

std::variant<command, usage_error> make_command(const subcommands& s, const raw_input& in) {
  for (const auto* sub : {&s.enqueue, &s.pause, &s.resume, &s.jobs})
    if (sub->app->parsed())
      if (auto err = check_non_empty(*sub))
        return *err;
  if (s.send.app->parsed())
    return make_send(in.send, in);
  given has;
  if (s.enqueue.app->parsed())
    has.priority = s.enqueue.app->get_option("--priority")->count() > 0;
  if (s.jobs.app->parsed()) {
    has.state = s.jobs.app->get_option("--state")->count() > 0;
    has.before = s.jobs.app->get_option("--before")->count() > 0;
  }
  for (const auto* sub : {&s.enqueue, &s.jobs, &s.get, &s.cancel, &s.retry, &s.pause, &s.resume, &s.events,
                          &s.batch, &s.nodes, &s.signal})
    if (sub->app->parsed())
      return make_named(sub == &s.jobs ? std::string{"list"} : sub->app->get_name(), in, has);
  return command{stats_command{}};
}

std::variant<std::chrono::milliseconds, usage_error> parse_timeout(const std::string& text) {
  auto timeout = parse_duration(text, "--timeout");
  if (auto* err = std::get_if<input_error>(&timeout))
    return usage_error{err->message};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::get<std::chrono::microseconds>(timeout));
  if (ms.count() <= 0)
    return usage_error{"--timeout: must be at least 1ms (got \"" + text + "\")"};
  if (ms > max_timeout)
    return usage_error{"--timeout: \"" + text + "\" is longer than 24h"};
  return ms;
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
                       "\" (expected enqueue, stats, list, get, cancel, retry, pause, resume, events, signal, batch, nodes "
                       "or send)"};
  }
  invocation inv;
  auto node = parse_node(in.node);
  if (auto* err = std::get_if<usage_error>(&node))
    return *err;
  inv.node = std::get<node_address>(std::move(node));
  inv.link = in.link;
  auto timeout = parse_timeout(in.timeout);
  if (auto* err = std::get_if<usage_error>(&timeout))
    return *err;
  inv.timeout = std::get<std::chrono::milliseconds>(timeout);
  auto what = make_command(sub, in);
  if (auto* err = std::get_if<usage_error>(&what))
    return *err;
  inv.what = std::get<command>(std::move(what));
  return inv;
}

}  // namespace meshjobs::inject
