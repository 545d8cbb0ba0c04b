// Child processes for tests that drive the real executables: spawn with arguments and extra
// environment, output captured in files, bounded waits, kill by PID. A child_process that goes
// out of scope (a failed assertion included) kills its child, and a child also dies with the
// test process, so nothing is ever left running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace meshjobs::testing {

/// How a child ended: its exit code, or the signal that killed it.
struct exit_status {
  bool exited = false;
  int code = -1;
  int signal = 0;

  bool exited_with(int c) const { return exited && code == c; }
  std::string to_string() const;  ///< "exit 0", "signal 9"
};

struct spawn_options {
  std::vector<std::string> args;
  std::vector<std::string> env;  ///< NAME=VALUE, added to (or replacing in) this process's environment
  std::string stdout_path;       ///< empty: /dev/null
  std::string stderr_path;       ///< empty: /dev/null
  std::string stdin_path;        ///< empty: /dev/null
};

class child_process {
 public:
  /// Starts `program` (a path). Throws std::runtime_error naming what failed.
  child_process(const std::string& program, const spawn_options& opts);
  ~child_process();  ///< kills (SIGKILL) and reaps the child if it still runs
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&&) = delete;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  /// Reaps the child if it has ended.
  bool running();
  /// Sends `sig` to the child (only while it runs: a reaped PID may belong to someone else).
  void signal(int sig);
  /// Waits up to `timeout` for the child to end; nullopt if it still runs.
  std::optional<exit_status> wait_for(std::chrono::milliseconds timeout);
  /// SIGKILL, then reaps.
  exit_status kill();

 private:
  pid_t pid_ = -1;
  std::optional<exit_status> status_;
};

/// A program run to its end, its output read back.
struct run_result {
  exit_status status;
  bool timed_out = false;  ///< killed after the time limit
  std::string out;
  std::string err;
};

/// Runs `program` with `args` until it ends or `limit` passes (then kills it); its output goes
/// through files in `dir`.
run_result run_to_end(const std::string& program, const std::vector<std::string>& args,
                      const std::filesystem::path& dir, std::chrono::milliseconds limit,
                      const std::vector<std::string>& env = {});

/// A fresh directory under the system temp dir, removed with everything in it.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::string& path);
std::vector<std::string> read_lines(const std::string& path);
void write_file(const std::string& path, const std::string& text);
std::vector<std::string> split_lines(const std::string& text);

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
std::uint16_t free_loopback_port();

}  // namespace meshjobs::testing
