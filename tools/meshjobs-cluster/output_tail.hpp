// A node's output (its stdout and stderr share one pipe) read as it comes and printed line by
// line, each line prefixed with the node's name: `[worker1] 12:00:01 info ...`.
#pragma once

#include <string>

namespace meshjobs::cluster {

class output_tail {
 public:
  /// Takes ownership of `fd`, the pipe's read end (non-blocking).
  output_tail(std::string node_name, int fd);
  ~output_tail();
  output_tail(output_tail&& other) noexcept;
  output_tail& operator=(output_tail&& other) noexcept;
  output_tail(const output_tail&) = delete;
  output_tail& operator=(const output_tail&) = delete;

  int fd() const { return fd_; }
  /// Prints the complete lines that arrived; false once the pipe is closed (the rest printed).
  bool pump();

 private:
  void print_complete_lines();
  void close_fd();

  std::string prefix_;
  int fd_;
  std::string pending_;  ///< the start of a line whose end has not arrived
};

}  // namespace meshjobs::cluster
