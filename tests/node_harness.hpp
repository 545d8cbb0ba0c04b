// A meshjobs node run as a real process for the daemon, inject and crash tests: its config in
// a temp dir, its logs in files, meshjobs-inject to talk to it, bounded waits on conditions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "meshjobs/messages/json.hpp"
#include "process.hpp"

namespace meshjobs::testing {

using namespace std::chrono_literals;

struct node_settings {
  std::uint16_t inject_port = 0;
  std::string store_backend = "memory";  ///< memory | sqlite
  std::string store_path;                ///< sqlite only
  int concurrency = 2;
  int timeout_s = 30;
  std::vector<std::string> queues = {"default"};
  int max_written_off_threads = 32;
  /// security.keys_dir; empty: `keys` in the node's temp dir, shared by its inject calls.
  std::string keys_dir;
  std::string security_yaml;  ///< more lines of the `security` section, each "  key: value\n"
  std::string node_yaml;      ///< more lines of the `node` section, each "  key: value\n"
  std::string top_yaml;       ///< more top-level keys, e.g. "limits:\n  default: 1\n"
  /// Links drop a peer silent this long: generous, so a loaded test machine drops none; the
  /// cluster tests that detect hung nodes set their own.
  int connection_timeout_ms = 10000;
};

std::string node_config_yaml(const node_settings& s);

/// Runs `meshjobs-inject` to its end.
run_result run_inject(const temp_dir& dir, const std::vector<std::string>& args,
                      std::chrono::milliseconds limit = 20s, const std::vector<std::string>& env = {});

/// ASAN_OPTIONS with LeakSanitizer's exit scan off (a tenth of a second per process start in a
/// sanitizer build), keeping whatever else the environment sets.
std::string asan_options_without_leak_check();

/// Parses one JSON line; throws std::runtime_error (a test failure) when it is not an object.
json::object json_line(const std::string& line);

/// Calls `condition` until it is true or `limit` passes, `pause` apart. True if it held.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit,
                std::chrono::milliseconds pause = 50ms);

/// A keys directory as a node makes on first start, in `dir`/keys (made once); its path.
std::string test_keys_dir(const temp_dir& dir);

class node_process {
 public:
  /// Writes `<name>.yml` in `dir` and starts the node with it; stderr (the log) goes to
  /// `<name>.log`, stdout to `<name>.out`.
  node_process(const temp_dir& dir, const node_settings& settings, const std::string& name = "node",
               const std::vector<std::string>& extra_args = {});

  child_process& process() { return child_; }
  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return read_file(log_path_); }
  const std::string& config_path() const { return config_path_; }
  const std::string& keys_dir() const { return keys_dir_; }

  /// Polls `stats` until the node answers; false if it does not within `limit` or exits.
  bool wait_ready(std::chrono::milliseconds limit = 20s);
  /// Extra environment (NAME=VALUE) for the meshjobs-inject processes that talk to this node.
  void set_inject_env(std::vector<std::string> env) { inject_env_ = std::move(env); }
  /// meshjobs-inject --node <this node> --keys <its keys dir> args...
  run_result inject(const std::vector<std::string>& args, std::chrono::milliseconds limit = 20s) const;
  /// Runs every command through meshjobs-inject, `at_once` processes at a time; results in order.
  std::vector<run_result> inject_all(const std::vector<std::vector<std::string>>& commands,
                                     std::size_t at_once, std::chrono::milliseconds limit = 20s) const;
  /// `stats` as an object; throws if the node does not answer.
  json::object stats() const;
  /// `jobs --state S`: one object per job.
  std::vector<json::object> jobs(const std::string& state) const;
  /// `nodes`: one object per node, this one first.
  std::vector<json::object> nodes() const;
  /// `enqueue` that must succeed; returns the job id.
  std::int64_t enqueue(const std::string& kind, const std::string& args,
                       const std::vector<std::string>& options = {}) const;

 private:
  const temp_dir& dir_;
  std::uint16_t port_;
  std::string config_path_;
  std::string keys_dir_;
  std::string log_path_;
  std::vector<std::string> inject_env_;
  child_process child_;
};

}  // namespace meshjobs::testing
