#include "launcher.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>
#include <vector>

#include "console.hpp"
#include "free_ports.hpp"
#include "node_spawn.hpp"
#include "output_tail.hpp"
#include "restart_budget.hpp"
#include "stop_signals.hpp"

namespace meshjobs::cluster {
namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// How often the head's cluster port is looked at while the workers wait for it.
constexpr milliseconds head_probe_interval{100};
/// How long the output of nodes that have ended is still read before the launcher exits.
constexpr milliseconds output_drain_limit{1000};
/// The longest poll: nothing is late by more than this should a deadline be missed.
constexpr milliseconds max_poll_wait{1000};
/// A node exits 2 when its config is bad: starting it again cannot help.
constexpr int exit_bad_config = 2;

struct supervised_node {
  supervised_node(node_plan p, const node_plan* head, std::string dir, int max_restarts)
      : plan(std::move(p)), args(node_arguments(plan, head)), workdir(std::move(dir)), restarts(max_restarts) {}

  node_plan plan;
  std::vector<std::string> args;
  std::string workdir;
  restart_budget restarts;
  pid_t pid = -1;                          ///< > 0 while it runs
  std::optional<clock::time_point> start_at;  ///< a start or restart that is due then
  bool given_up = false;

  bool running() const { return pid > 0; }
  bool is_head() const { return plan.role == node_role::head; }
};

enum class phase { waiting_for_head, running, stopping_workers, stopping_head, stopped };

class launcher {
 public:
  launcher(const cluster_plan& plan, const launch_options& options);
  int run();

 private:
  void start(supervised_node& node);
  void announce(const supervised_node& node) const;
  void handle_signals();
  void reap_children();
  void ended(supervised_node& node, const std::string& how, bool may_restart);
  void start_due_nodes(clock::time_point now);
  void release_workers_once_head_accepts(clock::time_point now);
  void begin_stop(int sig);
  void advance_stop(clock::time_point now);
  void signal_running(node_role role, int sig);
  bool any_running(node_role role) const;
  void pump_output(const std::vector<pollfd>& ready);
  int poll_wait_ms(clock::time_point now) const;
  supervised_node* head();

  const launch_options options_;
  stop_signals signals_;
  std::vector<supervised_node> nodes_;
  std::vector<output_tail> tails_;
  phase phase_ = phase::running;
  clock::time_point next_head_probe_{};
  clock::time_point phase_deadline_{};
  bool unclean_ = false;  ///< a node did not stop by itself with exit 0
};

launcher::launcher(const cluster_plan& plan, const launch_options& options) : options_(options) {
  const node_plan* head_plan = plan.head();
  for (const auto& node : plan.nodes) {
    if (!is_local_host(node.host))
      continue;
    const auto workdir = std::filesystem::path(options.run_dir) / node.name;
    std::filesystem::create_directories(workdir);
    nodes_.emplace_back(node, head_plan, workdir.string(), options.max_restarts);
  }
}

supervised_node* launcher::head() {
  for (auto& node : nodes_)
    if (node.is_head())
      return &node;
  return nullptr;
}

int launcher::run() {
  // The head makes the credentials the workers share: it starts alone, and they follow once
  // it accepts connections (with a remote head, they start at once and join when they can).
  const auto now = clock::now();
  if (auto* h = head()) {
    phase_ = phase::waiting_for_head;
    h->start_at = now;
  } else {
    for (auto& node : nodes_)
      node.start_at = now;
  }
  auto drain_until = clock::time_point::max();
  while (phase_ != phase::stopped || (!tails_.empty() && clock::now() < drain_until)) {
    std::vector<pollfd> fds{{signals_.fd(), POLLIN, 0}};
    for (const auto& tail : tails_)
      fds.push_back({tail.fd(), POLLIN, 0});
    const int waited = ::poll(fds.data(), fds.size(), poll_wait_ms(clock::now()));
    if (waited < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "poll");
    if (waited > 0 && (fds[0].revents & POLLIN) != 0)
      handle_signals();
    pump_output(fds);
    const auto t = clock::now();
    start_due_nodes(t);
    release_workers_once_head_accepts(t);
    advance_stop(t);
    if (phase_ == phase::stopped && drain_until == clock::time_point::max())
      drain_until = t + output_drain_limit;
  }
  const bool gave_up = std::any_of(nodes_.begin(), nodes_.end(), [](const auto& n) { return n.given_up; });
  return unclean_ || gave_up ? 1 : 0;
}

void launcher::start(supervised_node& node) {
  node.start_at.reset();
  try {
    auto spawned = spawn_node(options_.program, node.args, node.workdir);
    node.pid = spawned.pid;
    tails_.emplace_back(node.plan.name, spawned.output_fd);
    announce(node);
  } catch (const std::system_error& e) {
    ended(node, std::string{"could not start: "} + e.what(), true);
  }
}

void launcher::announce(const supervised_node& node) const {
  const auto& plan = node.plan;
  std::string where;
  if (node.is_head()) {
    const auto inject = address("127.0.0.1", plan.inject_port);
    where = "workers join " + address("127.0.0.1", plan.cluster_port) + ", clients talk to " + inject
            + " (meshjobs-inject --node " + inject
            + (plan.keys.empty() ? "" : " --keys " + plan.keys) + " nodes)";
  } else {
    auto join = std::find(node.args.begin(), node.args.end(), "--join");
    where = join != node.args.end() ? "joins " + *std::next(join) : "joins no head";
  }
  notice(plan.name + " (" + to_string(plan.role) + ", pid " + std::to_string(node.pid) + ") started: " + where);
}

void launcher::handle_signals() {
  for (int sig : signals_.take()) {
    if (sig == SIGCHLD)
      reap_children();
    else
      begin_stop(sig);
  }
}

void launcher::reap_children() {
  int status = 0;
  for (pid_t pid = ::waitpid(-1, &status, WNOHANG); pid > 0; pid = ::waitpid(-1, &status, WNOHANG)) {
    auto node = std::find_if(nodes_.begin(), nodes_.end(), [pid](const auto& n) { return n.pid == pid; });
    if (node == nodes_.end())
      continue;
    node->pid = -1;
    const bool stopping = phase_ == phase::stopping_workers || phase_ == phase::stopping_head ||
                          phase_ == phase::stopped;
    if (stopping) {
      unclean_ = unclean_ || !exited_with(status, 0);
      notice(node->plan.name + " stopped: " + describe_wait_status(status));
      continue;
    }
    const bool bad_config = exited_with(status, exit_bad_config);
    ended(*node, describe_wait_status(status) + (bad_config ? " (its config is bad)" : ""), !bad_config);
  }
}

void launcher::ended(supervised_node& node, const std::string& how, bool may_restart) {
  const auto& name = node.plan.name;
  const auto back_off = may_restart ? node.restarts.spend(clock::now()) : std::nullopt;
  if (back_off) {
    node.start_at = clock::now() + *back_off;
    notice(name + " ended unexpectedly: " + how + "; restarting it in " + std::to_string(back_off->count())
           + " ms (restart " + std::to_string(node.restarts.spent(clock::now())) + " of at most "
           + std::to_string(node.restarts.limit()) + " a minute)");
    return;
  }
  node.given_up = true;
  const bool none_left = std::all_of(nodes_.begin(), nodes_.end(), [](const auto& n) { return n.given_up; });
  const bool workers_wait_for_it = node.is_head() && phase_ == phase::waiting_for_head;
  const auto why_given_up = may_restart ? " after " + std::to_string(node.restarts.limit()) + " restarts within a minute" : "";
  if (!none_left && !workers_wait_for_it) {
    notice(name + " ended: " + how + "; giving up on it" + why_given_up + " (the other nodes keep running)");
    return;
  }
  notice(name + " ended: " + how + "; giving up on it" + why_given_up + ", and the launcher stops: "
         + (none_left ? "no node is left running" : "the workers were waiting for it"));
  phase_ = phase::stopped;
}

void launcher::start_due_nodes(clock::time_point now) {
  for (auto& node : nodes_)
    if (node.start_at && *node.start_at <= now && !node.running())
      start(node);
}

void launcher::release_workers_once_head_accepts(clock::time_point now) {
  auto* h = head();
  if (phase_ != phase::waiting_for_head || h == nullptr || !h->running() || now < next_head_probe_)
    return;
  next_head_probe_ = now + head_probe_interval;
  if (!listening_on(h->plan.cluster_port))
    return;
  phase_ = phase::running;
  notice(h->plan.name + " accepts workers on " + address("127.0.0.1", h->plan.cluster_port)
         + "; starting the workers");
  for (auto& node : nodes_)
    if (!node.is_head())
      node.start_at = now;
}

void launcher::begin_stop(int sig) {
  const char* name = sigabbrev_np(sig);
  if (phase_ == phase::stopping_workers || phase_ == phase::stopping_head) {
    notice(std::string{"SIG"} + name + " again: killing every node now");
    unclean_ = true;
    signal_running(node_role::worker, SIGKILL);
    signal_running(node_role::head, SIGKILL);
    return;
  }
  if (phase_ == phase::stopped)
    return;
  notice(std::string{"SIG"} + name + " received: stopping the workers, then the head (each has "
         + std::to_string(options_.grace.count()) + " s before SIGKILL; send it again to kill them now)");
  for (auto& node : nodes_)
    node.start_at.reset();
  phase_ = phase::stopping_workers;
  phase_deadline_ = clock::now() + options_.grace;
  signal_running(node_role::worker, SIGTERM);
}

void launcher::advance_stop(clock::time_point now) {
  if (phase_ != phase::stopping_workers && phase_ != phase::stopping_head)
    return;
  const auto role = phase_ == phase::stopping_workers ? node_role::worker : node_role::head;
  if (any_running(role)) {
    if (now >= phase_deadline_) {
      notice(std::string{"the grace is over: killing the "} + (role == node_role::head ? "head" : "workers"));
      unclean_ = true;
      signal_running(role, SIGKILL);
    }
    return;
  }
  if (phase_ == phase::stopping_workers) {
    phase_ = phase::stopping_head;
    phase_deadline_ = now + options_.grace;
    signal_running(node_role::head, SIGTERM);
    return;
  }
  phase_ = phase::stopped;
  notice(unclean_ ? "stopped, not every node cleanly" : "every node stopped cleanly");
}

void launcher::signal_running(node_role role, int sig) {
  for (const auto& node : nodes_)
    if (node.plan.role == role && node.running())
      ::kill(node.pid, sig);
}

bool launcher::any_running(node_role role) const {
  return std::any_of(nodes_.begin(), nodes_.end(),
                     [role](const auto& n) { return n.plan.role == role && n.running(); });
}

void launcher::pump_output(const std::vector<pollfd>& ready) {
  // fds[0] is the signalfd; fds[i + 1] is tails_[i].
  std::vector<output_tail> open;
  for (std::size_t i = 0; i < tails_.size(); ++i) {
    const bool has_news = (ready[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    if (!has_news || tails_[i].pump())
      open.push_back(std::move(tails_[i]));
  }
  tails_ = std::move(open);
}

int launcher::poll_wait_ms(clock::time_point now) const {
  auto wake = now + max_poll_wait;
  for (const auto& node : nodes_)
    if (node.start_at)
      wake = std::min(wake, *node.start_at);
  if (phase_ == phase::waiting_for_head)
    wake = std::min(wake, next_head_probe_);
  if (phase_ == phase::stopping_workers || phase_ == phase::stopping_head)
    wake = std::min(wake, phase_deadline_);
  const auto wait = std::chrono::duration_cast<milliseconds>(wake - now).count();
  return static_cast<int>(std::clamp<long long>(wait, 0, max_poll_wait.count()));
}

}  // namespace

int run_local_nodes(const cluster_plan& plan, const launch_options& options) {
  launcher l{plan, options};
  return l.run();
}

}  // namespace meshjobs::cluster
