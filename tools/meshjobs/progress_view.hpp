// Live progress of a set of jobs in the terminal: on a terminal, a bar per running job at the
// bottom and a line per finished one above them (as package managers do); elsewhere (a pipe, a
// log file, CI) plain lines, one per change. Thread-safe: updates come from channel callbacks.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace meshjobs::tools {

class progress_view {
 public:
  /// `names`: one row per job, in order. `tty`: draw bars (else plain lines).
  progress_view(std::vector<std::string> names, bool tty, std::FILE* out = stdout);

  void update(std::size_t row, std::int32_t percent, const std::string& message, const std::string& status);
  /// The row is done: printed once as a line above the bars.
  void finish(std::size_t row, const std::string& line);
  /// Redraws the bars (a terminal only); call it a few times a second.
  void draw();
  /// Clears the bars, leaving the finished lines.
  void close();

 private:
  struct row {
    std::string name;
    std::int32_t percent = 0;
    std::string message = "waiting";
    std::string status = "pending";
    bool done = false;
    bool shown = false;  ///< has a bar (or, plain, a line for its state)
  };

  void erase_bars();
  std::string bar(const row& r) const;

  std::mutex mutex_;
  std::vector<row> rows_;
  bool tty_;
  std::FILE* out_;
  std::size_t drawn_ = 0;  ///< bar lines currently on screen
  std::size_t name_width_ = 8;
};

}  // namespace meshjobs::tools
