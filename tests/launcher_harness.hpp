// meshjobs-cluster run as a real process for its tests: its output in a file, read back as
// lines; the nodes it says it started, by name and PID; bounded waits on what it prints.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "process.hpp"

namespace meshjobs::testing {

class launcher_process {
 public:
  /// Starts meshjobs-cluster with `args` (the run directory is `dir`/run); its stdout and
  /// stderr go to `dir`/launcher.out and launcher.err.
  launcher_process(const temp_dir& dir, const std::vector<std::string>& args);

  child_process& process() { return child_; }
  std::string output() const;
  std::string run_dir() const;
  /// Waits until the output holds `text` `times` times; false after `limit` or when the
  /// launcher has exited without printing it.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds limit, int times = 1);
  /// The PID the latest "NAME (role, pid N) started" line names; nullopt before one.
  std::optional<pid_t> pid_of(const std::string& node) const;
  /// The inject port of the head, from its "clients talk to 127.0.0.1:PORT" line.
  std::optional<int> inject_port() const;
  /// The nodes the head lists (`meshjobs-inject nodes`, with the credentials in `keys_dir`);
  /// empty when it does not answer.
  std::set<std::string> nodes_of_head(const std::string& keys_dir) const;
  /// Waits until the head lists exactly `nodes`.
  bool wait_for_nodes(const std::set<std::string>& nodes, const std::string& keys_dir,
                      std::chrono::milliseconds limit);

 private:
  const temp_dir& dir_;
  child_process child_;
};

/// True while a process with this PID exists (and is not a zombie of ours).
bool process_alive(pid_t pid);

/// Occurrences of `text` in `haystack`.
int count_of(const std::string& haystack, const std::string& text);

}  // namespace meshjobs::testing
