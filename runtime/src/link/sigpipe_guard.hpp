// OpenSSL writes to its socket with write(), which raises SIGPIPE when the peer has gone, and
// SIGPIPE ends a process by default. A library must not change a host's signal handlers, so
// each TLS write blocks SIGPIPE on its own thread for the call, and swallows the one it raised.
#pragma once

#include <csignal>
#include <ctime>

#include <pthread.h>

namespace meshjobs::link {

class sigpipe_guard {
 public:
  sigpipe_guard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &saved_);
  }
  ~sigpipe_guard() {
    if (!was_pending_) {
      timespec zero{};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t saved_;
  bool was_pending_ = false;
};

}  // namespace meshjobs::link
