#include "node_harness.hpp"

#include "link/keys_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace meshjobs::testing {
namespace {

child_process start_node(const temp_dir& dir, const node_settings& s, const std::string& name,
                         const std::vector<std::string>& extra_args) {
  auto config_path = dir.file(name + ".yml");
  write_file(config_path, node_config_yaml(s));
  spawn_options opts;
  opts.args = {"--config", config_path};
  opts.args.insert(opts.args.end(), extra_args.begin(), extra_args.end());
  opts.stdout_path = dir.file(name + ".out");
  opts.stderr_path = dir.file(name + ".log");
  return child_process{MESHJOBS_NODE_BIN, opts};
}

node_settings with_keys_dir(const temp_dir& dir, node_settings s) {
  if (s.keys_dir.empty())
    s.keys_dir = dir.file("keys");
  return s;
}

}  // namespace

std::string node_config_yaml(const node_settings& s) {
  std::string yaml;
  yaml += "concurrency: " + std::to_string(s.concurrency) + "\n";
  yaml += "timeout: " + std::to_string(s.timeout_s) + "\n";
  yaml += s.top_yaml;
  yaml += "queues:\n";
  for (const auto& q : s.queues)
    yaml += "  - [" + q + ", 1]\n";
  yaml += "store:\n  backend: " + s.store_backend + "\n";
  if (!s.store_path.empty())
    yaml += "  path: " + s.store_path + "\n";
  yaml += "node:\n  name: test-node\n  inject_host: 127.0.0.1\n";
  yaml += "  inject_port: " + std::to_string(s.inject_port) + "\n";
  yaml += "  scheduler_threads: 2\n";
  yaml += "  max_written_off_threads: " + std::to_string(s.max_written_off_threads) + "\n";
  yaml += "  connection_timeout_ms: " + std::to_string(s.connection_timeout_ms) + "\n";
  yaml += s.node_yaml;
  if (!s.keys_dir.empty() || !s.security_yaml.empty())
    yaml += "security:\n";
  if (!s.keys_dir.empty())
    yaml += "  keys_dir: " + s.keys_dir + "\n";
  yaml += s.security_yaml;
  return yaml;
}

run_result run_inject(const temp_dir& dir, const std::vector<std::string>& args,
                      std::chrono::milliseconds limit, const std::vector<std::string>& env) {
  return run_to_end(MESHJOBS_INJECT_BIN, args, dir.path(), limit, env);
}

std::string asan_options_without_leak_check() {
  const char* current = std::getenv("ASAN_OPTIONS");
  std::string options = current != nullptr && *current != '\0' ? std::string{current} + ":" : "";
  return "ASAN_OPTIONS=" + options + "detect_leaks=0";
}

json::object json_line(const std::string& line) {
  auto parsed = json::object::parse(line, "line");
  if (auto* err = std::get_if<json::parse_error>(&parsed))
    throw std::runtime_error("not a JSON object: " + err->message + ": " + line);
  return std::get<json::object>(std::move(parsed));
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit,
                std::chrono::milliseconds pause) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (condition())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(pause);
  }
}

std::string test_keys_dir(const temp_dir& dir) {
  const auto path = dir.file("keys");
  link::make_keys_dir_if_missing(path, "test-node");
  return path;
}

node_process::node_process(const temp_dir& dir, const node_settings& settings, const std::string& name,
                           const std::vector<std::string>& extra_args)
    : dir_(dir),
      port_(settings.inject_port),
      config_path_(dir.file(name + ".yml")),
      keys_dir_(with_keys_dir(dir, settings).keys_dir),
      log_path_(dir.file(name + ".log")),
      child_(start_node(dir, with_keys_dir(dir, settings), name, extra_args)) {}

bool node_process::wait_ready(std::chrono::milliseconds limit) {
  return eventually(
    [&] {
      if (!child_.running())
        return true;  // reported below
      return inject({"--timeout", "2s", "stats"}, 5s).status.exited_with(0);
    },
    limit) && child_.running();
}

run_result node_process::inject(const std::vector<std::string>& args, std::chrono::milliseconds limit) const {
  std::vector<std::string> full{"--node", address(), "--keys", keys_dir_};
  full.insert(full.end(), args.begin(), args.end());
  return run_inject(dir_, full, limit, inject_env_);
}

std::vector<run_result> node_process::inject_all(const std::vector<std::vector<std::string>>& commands,
                                                 std::size_t at_once, std::chrono::milliseconds limit) const {
  std::vector<run_result> results(commands.size());
  for (std::size_t first = 0; first < commands.size(); first += at_once) {
    std::vector<std::thread> group;
    for (std::size_t i = first; i < std::min(commands.size(), first + at_once); ++i)
      group.emplace_back([&, i] { results[i] = inject(commands[i], limit); });
    for (auto& t : group)
      t.join();
  }
  return results;
}

json::object node_process::stats() const {
  auto r = inject({"stats"});
  if (!r.status.exited_with(0))
    throw std::runtime_error("stats: " + r.status.to_string() + ": " + r.err);
  return json_line(r.out);
}

namespace {

/// Runs an inject command that must succeed; one object per line of its output.
std::vector<json::object> json_lines_of(const node_process& node, const std::vector<std::string>& args) {
  auto r = node.inject(args);
  if (!r.status.exited_with(0)) {
    std::string command;
    for (const auto& a : args)
      command += (command.empty() ? "" : " ") + a;
    throw std::runtime_error(command + ": " + r.status.to_string() + ": " + r.err);
  }
  std::vector<json::object> out;
  for (const auto& line : split_lines(r.out))
    out.push_back(json_line(line));
  return out;
}

}  // namespace

std::vector<json::object> node_process::jobs(const std::string& state) const {
  return json_lines_of(*this, {"list", "--state", state});
}

std::vector<json::object> node_process::nodes() const { return json_lines_of(*this, {"nodes"}); }

std::int64_t node_process::enqueue(const std::string& kind, const std::string& args,
                                   const std::vector<std::string>& options) const {
  std::vector<std::string> full{"enqueue", kind, "--args", args};
  full.insert(full.end(), options.begin(), options.end());
  auto r = inject(full);
  if (!r.status.exited_with(0))
    throw std::runtime_error("enqueue " + kind + ": " + r.status.to_string() + ": " + r.err);
  auto id = json_line(r.out).get_int("id");
  if (!id)
    throw std::runtime_error("enqueue " + kind + ": no id in " + r.out);
  return *id;
}

}  // namespace meshjobs::testing
