#include "process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace meshjobs::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

exit_status decode(int raw) {
  exit_status s;
  if (WIFEXITED(raw)) {
    s.exited = true;
    s.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    s.signal = WTERMSIG(raw);
  }
  return s;
}

/// This process's environment with `extra` (NAME=VALUE) added or replacing entries.
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry{*e};
    bool replaced = false;
    for (const auto& x : extra)
      replaced = replaced || name_of(x) == name_of(entry);
    if (!replaced)
      out.push_back(std::move(entry));
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// In the forked child: only async-signal-safe calls until exec.
[[noreturn]] void become(const char* program, char** argv, char** envp, const char* in_path,
                         const char* out_path, const char* err_path, pid_t parent) {
  // Die with the test process, whatever kills it.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(127);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT})
    ::signal(sig, SIG_DFL);
  int in = open(in_path, O_RDONLY);
  int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
    _exit(127);
  // Leave the test process's sockets and files behind.
  for (int fd = 3; fd < 1024; ++fd)
    close(fd);
  execve(program, argv, envp);
  _exit(127);
}

}  // namespace

std::string exit_status::to_string() const {
  if (exited)
    return "exit " + std::to_string(code);
  if (signal != 0)
    return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "still running";
}

child_process::child_process(const std::string& program, const spawn_options& opts) {
  if (access(program.c_str(), X_OK) != 0)
    throw std::runtime_error("spawn: " + program + " is not an executable file: " + std::strerror(errno));
  std::vector<std::string> args{program};
  args.insert(args.end(), opts.args.begin(), opts.args.end());
  auto env = merged_environment(opts.env);
  auto argv = pointers(args);
  auto envp = pointers(env);
  std::string out_path = opts.stdout_path.empty() ? "/dev/null" : opts.stdout_path;
  std::string err_path = opts.stderr_path.empty() ? "/dev/null" : opts.stderr_path;
  std::string in_path = opts.stdin_path.empty() ? "/dev/null" : opts.stdin_path;
  auto parent = getpid();
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("spawn: fork for " + program + " failed: " + std::strerror(errno));
  if (pid_ == 0)
    become(program.c_str(), argv.data(), envp.data(), in_path.c_str(), out_path.c_str(), err_path.c_str(),
           parent);
}

child_process::child_process(child_process&& other) noexcept
    : pid_(other.pid_), status_(std::move(other.status_)) {
  other.pid_ = -1;
}

child_process::~child_process() {
  if (pid_ > 0 && !status_)
    kill();
}

bool child_process::running() {
  if (pid_ <= 0 || status_)
    return false;
  int raw = 0;
  pid_t r = waitpid(pid_, &raw, WNOHANG);
  if (r == pid_)
    status_ = decode(raw);
  return !status_;
}

void child_process::signal(int sig) {
  if (running())
    ::kill(pid_, sig);
}

std::optional<exit_status> child_process::wait_for(milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (running()) {
    if (steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return status_;
}

exit_status child_process::kill() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    int raw = 0;
    while (waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
    status_ = decode(raw);
  }
  return status_.value_or(exit_status{});
}

run_result run_to_end(const std::string& program, const std::vector<std::string>& args,
                      const std::filesystem::path& dir, milliseconds limit,
                      const std::vector<std::string>& env) {
  static std::atomic<int> runs{0};
  auto stem = (dir / ("run-" + std::to_string(++runs))).string();
  spawn_options opts{args, env, stem + ".out", stem + ".err"};
  child_process child{program, opts};
  run_result r;
  if (auto status = child.wait_for(limit)) {
    r.status = *status;
  } else {
    r.timed_out = true;
    r.status = child.kill();
  }
  r.out = read_file(opts.stdout_path);
  r.err = read_file(opts.stderr_path);
  return r;
}

temp_dir::temp_dir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("meshjobs-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("temp_dir: cannot create a directory under " + base.string());
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    if (!line.empty())
      out.push_back(line);
  return out;
}

std::vector<std::string> read_lines(const std::string& path) { return split_lines(read_file(path)); }

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << text;
  if (!out)
    throw std::runtime_error("write_file: cannot write " + path);
}

std::uint16_t free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::runtime_error(std::string{"free_loopback_port: socket: "} + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    auto reason = std::strerror(errno);
    close(fd);
    throw std::runtime_error(std::string{"free_loopback_port: bind 127.0.0.1:0: "} + reason);
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace meshjobs::testing
