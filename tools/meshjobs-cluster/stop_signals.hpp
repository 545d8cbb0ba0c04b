// The signals the launcher waits for, read from a signalfd in its poll loop: SIGCHLD (a node
// ended) and SIGTERM, SIGINT, SIGHUP (stop the cluster). Blocked in the launcher, so nothing
// interrupts it; nodes unblock them when they start.
#pragma once

#include <vector>

namespace meshjobs::cluster {

class stop_signals {
 public:
  /// Blocks the signals, opens the signalfd and ignores SIGPIPE. Throws std::system_error.
  stop_signals();
  ~stop_signals();
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

  int fd() const { return fd_; }
  /// The signals that arrived since the last call, in order (SIGCHLD among them).
  std::vector<int> take();

 private:
  int fd_;
};

}  // namespace meshjobs::cluster
