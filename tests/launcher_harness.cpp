#include "launcher_harness.hpp"

#include <signal.h>

#include <fstream>
#include <thread>

#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

std::vector<std::string> launcher_arguments(const temp_dir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"--dir", (dir.path() / "run").string()});
  return args;
}

}  // namespace

launcher_process::launcher_process(const temp_dir& dir, const std::vector<std::string>& args)
    : dir_(dir),
      // The nodes inherit the environment: no LeakSanitizer scan at each node's exit.
      child_(MESHJOBS_CLUSTER_BIN, spawn_options{launcher_arguments(dir, args), {asan_options_without_leak_check()},
                                                 dir.file("launcher.out"), dir.file("launcher.err"), {}}) {}

std::string launcher_process::output() const {
  return read_file(dir_.file("launcher.out"));
}

std::string launcher_process::run_dir() const {
  return dir_.file("run");
}

bool launcher_process::wait_for_output(const std::string& text, std::chrono::milliseconds limit, int times) {
  return eventually([&] { return count_of(output(), text) >= times || !child_.running(); }, limit) &&
         count_of(output(), text) >= times;
}

std::optional<pid_t> launcher_process::pid_of(const std::string& node) const {
  std::optional<pid_t> latest;
  for (const auto& line : split_lines(output())) {
    for (const char* role : {"head", "worker"}) {
      const auto start = "meshjobs-cluster: " + node + " (" + role + ", pid ";
      if (line.rfind(start, 0) == 0 && line.find(") started") != std::string::npos)
        latest = static_cast<pid_t>(std::stol(line.substr(start.size())));
    }
  }
  return latest;
}

std::optional<int> launcher_process::inject_port() const {
  const std::string clients = "clients talk to 127.0.0.1:";
  const auto out = output();
  const auto at = out.find(clients);
  if (at == std::string::npos)
    return std::nullopt;
  return std::stoi(out.substr(at + clients.size()));
}

std::set<std::string> launcher_process::nodes_of_head(const std::string& keys_dir) const {
  const auto port = inject_port();
  if (!port)
    return {};
  auto r = run_inject(dir_, {"--node", "127.0.0.1:" + std::to_string(*port), "--keys", keys_dir, "nodes"});
  std::set<std::string> names;
  if (!r.status.exited_with(0))
    return names;
  for (const auto& line : split_lines(r.out))
    names.insert(json_line(line).get_string("node").value_or(""));
  return names;
}

bool launcher_process::wait_for_nodes(const std::set<std::string>& nodes, const std::string& keys_dir,
                                      std::chrono::milliseconds limit) {
  return eventually([&] { return nodes_of_head(keys_dir) == nodes; }, limit, 200ms);
}

bool process_alive(pid_t pid) {
  if (::kill(pid, 0) != 0)
    return false;
  // A process that has ended but is not reaped yet still takes signals: look at its state.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto state_at = line.rfind(')');
  return state_at != std::string::npos && state_at + 2 < line.size() && line[state_at + 2] != 'Z';
}

int count_of(const std::string& haystack, const std::string& text) {
  int n = 0;
  for (auto at = haystack.find(text); at != std::string::npos; at = haystack.find(text, at + text.size()))
    ++n;
  return n;
}

}  // namespace meshjobs::testing
