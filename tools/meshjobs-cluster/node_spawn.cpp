#include "node_spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

namespace meshjobs::cluster {
namespace {

constexpr int exec_failed = 127;  // as a shell says "command not found"

void write_all(int fd, const char* text) {
  auto size = std::strlen(text);
  while (size > 0) {
    const auto n = ::write(fd, text, size);
    if (n <= 0)
      return;
    text += n;
    size -= static_cast<std::size_t>(n);
  }
}

/// In the forked child: only async-signal-safe calls until exec.
[[noreturn]] void become_node(const char* program, char* const* argv, const char* workdir, int output,
                              pid_t launcher) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != launcher)  // the launcher died before prctl: nobody would stop this node
    ::_exit(exec_failed);
  // SIGTERM and SIGINT stay blocked: meshjobs blocks them first thing and waits for them with
  // sigwait, so one sent while the node is still starting waits for it instead of killing it
  // half-made. The rest as a freshly started program has them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  ::sigprocmask(SIG_SETMASK, &stop, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  if (output <= STDERR_FILENO)  // dup2 onto itself would keep its close-on-exec flag
    output = ::fcntl(output, F_DUPFD, STDERR_FILENO + 1);
  const int in = ::open("/dev/null", O_RDONLY);
  if (in < 0 || ::dup2(in, STDIN_FILENO) < 0 || ::dup2(output, STDOUT_FILENO) < 0 ||
      ::dup2(output, STDERR_FILENO) < 0)
    ::_exit(exec_failed);
  ::close_range(3, ~0U, 0);
  if (::chdir(workdir) != 0) {
    write_all(STDERR_FILENO, "meshjobs-cluster: cannot enter the node's directory: ");
    write_all(STDERR_FILENO, std::strerror(errno));
    write_all(STDERR_FILENO, "\n");
    ::_exit(exec_failed);
  }
  ::execv(program, argv);
  write_all(STDERR_FILENO, "meshjobs-cluster: cannot execute the node's program: ");
  write_all(STDERR_FILENO, std::strerror(errno));
  write_all(STDERR_FILENO, "\n");
  ::_exit(exec_failed);
}

}  // namespace

spawned_node spawn_node(const std::string& program, const std::vector<std::string>& args,
                        const std::string& workdir) {
  std::vector<std::string> words{program};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& word : words)
    argv.push_back(word.data());
  argv.push_back(nullptr);

  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe for " + program);
  const pid_t launcher = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    throw std::system_error(error, std::generic_category(), "fork for " + program);
  }
  if (pid == 0)
    become_node(program.c_str(), argv.data(), workdir.c_str(), pipe_ends[1], launcher);
  // Also here, so that a signal to the group right after fork cannot miss the child.
  ::setpgid(pid, pid);
  ::close(pipe_ends[1]);
  ::fcntl(pipe_ends[0], F_SETFL, ::fcntl(pipe_ends[0], F_GETFL) | O_NONBLOCK);
  return {pid, pipe_ends[0]};
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "status " + std::to_string(status);
}

bool exited_with(int status, int code) {
  return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

}  // namespace meshjobs::cluster
