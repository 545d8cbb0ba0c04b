#include "events_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>

#include "exit_codes.hpp"
#include "output.hpp"

namespace meshjobs::inject {
namespace {

// Written to by the signal handler and by the lost link; the main thread waits on it.
int stop_pipe[2] = {-1, -1};

void wake(char why) {
  auto written = ::write(stop_pipe[1], &why, 1);
  static_cast<void>(written);  // the pipe is never full: one byte ends the wait
}

void on_signal(int) { wake('s'); }

void wait_for_wake() {
  char why = 0;
  while (::read(stop_pipe[0], &why, 1) < 0 && errno == EINTR) {
  }
}

}  // namespace

int run_events(front_connection& node) {
  if (::pipe(stop_pipe) != 0) {
    print_error("events: cannot create a pipe");
    return exit_unreachable;
  }
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::string lost;  // why the link ended; written before the wake that the main thread reads

  auto failure = node.follow_events(
    [](const std::vector<job_event>& batch) {
      for (const auto& e : batch)
        print_line(json::to_json(e));
      std::fflush(stdout);  // a reader of the pipe sees each batch as it comes
    },
    [&lost](const std::string& why) {
      lost = why;
      wake('l');
    },
    wait_for_wake);
  if (failure) {
    print_error(failure->message);
    return exit_unreachable;
  }
  if (!lost.empty()) {
    print_error(lost);
    return exit_unreachable;
  }
  return exit_ok;
}

}  // namespace meshjobs::inject
