// meshjobs-cluster: runs a meshjobs cluster on this machine, a head and N workers on free
// loopback ports, or the local part of a cluster file (printing the command for each node on
// another host); prints where each node listens, tails their logs prefixed [NAME], restarts a
// node that ends on its own (within a limit) and stops them all on Ctrl-C or SIGTERM.
//   meshjobs-cluster [--workers N] [--config NODE.yml] [--keys DIR]
//   meshjobs-cluster --file cluster.yml [--check]
//   common: [--bin PATH] [--dir RUNDIR] [--max-restarts K] [--grace SECONDS]
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cluster_file.hpp"
#include "console.hpp"
#include "exit_codes.hpp"
#include "launcher.hpp"
#include "local_cluster.hpp"

using namespace meshjobs::cluster;
namespace fs = std::filesystem;

namespace {

struct arguments {
  int workers = 2;
  std::string file, config, keys, bin, dir = "cluster-run";
  bool check = false;
  int max_restarts = 5;
  int grace_s = 40;
};

void define_options(CLI::App& app, arguments& in) {
  app.footer(
    "Examples:\n"
    "  meshjobs-cluster --workers 2                  # a head and 2 workers on free ports, in ./cluster-run\n"
    "  meshjobs-cluster --workers 4 --config node.yml --dir /tmp/c1\n"
    "  meshjobs-cluster --file cluster.yml --check   # validate a cluster file: exit 0, or 2 listing every error\n"
    "  meshjobs-cluster --file cluster.yml           # start its local nodes, print the others' commands\n"
    "Exit codes: 0 every node stopped cleanly (or the file is ok), 1 a node did not stop cleanly or was\n"
    "given up, 2 bad arguments or a bad cluster file (nothing was started).");
  auto* workers = app.add_option("--workers", in.workers,
                                 "how many workers besides the head (default 2), e.g. --workers 4")
                    ->check(CLI::Range(0, max_local_workers));
  auto* file = app.add_option("--file", in.file,
                              "a cluster file (YAML: nodes with name, role, host, ports, keys, config) "
                              "instead of --workers, e.g. --file cluster.yml");
  app.add_flag("--check", in.check, "with --file: validate it and exit, e.g. --file cluster.yml --check")
    ->needs(file);
  auto* config = app.add_option("--config", in.config,
                                "with --workers: every node's config (default: the embedded one), "
                                "e.g. --config node.yml");
  auto* keys = app.add_option("--keys", in.keys,
                              "with --workers: the credentials directory the nodes share (default "
                              "RUNDIR/keys, made by the head), e.g. --keys /srv/meshjobs/keys");
  file->excludes(workers)->excludes(config)->excludes(keys);
  app.add_option("--bin", in.bin,
                 "the meshjobs executable (default: the one beside meshjobs-cluster), "
                 "e.g. --bin /usr/bin/meshjobs");
  app.add_option("--dir", in.dir,
                 "the run directory: each local node works in RUNDIR/NAME (default ./cluster-run), "
                 "e.g. --dir /tmp/c1");
  app.add_option("--max-restarts", in.max_restarts,
                 "restarts of one node within a minute before it is given up (default 5), "
                 "e.g. --max-restarts 0 to never restart")
    ->check(CLI::Range(0, 1000));
  app.add_option("--grace", in.grace_s,
                 "seconds each node has to stop after SIGTERM before SIGKILL (default 40), e.g. --grace 60")
    ->check(CLI::Range(1, 3600));
}

int usage_error(const std::string& message) {
  std::cerr << "meshjobs-cluster: " << message << " (see --help)\n";
  return exit_usage;
}

std::string default_bin() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string{"meshjobs"} : (self.parent_path() / "meshjobs").string();
}

std::string absolute(const std::string& path) {
  return path.empty() ? path : fs::absolute(path).lexically_normal().string();
}

/// The cluster from --file, or a head and --workers workers; nullopt after printing why not.
std::optional<cluster_plan> plan_from(const arguments& in, const std::string& run_dir) {
  if (!in.file.empty()) {
    auto result = read_cluster_file(in.file);
    for (const auto& e : result.errors)
      std::cerr << describe(e) << "\n";
    if (!result.ok())
      return std::nullopt;
    share_local_credentials(result.plan, (fs::path(run_dir) / "keys").string());
    return std::move(result.plan);
  }
  if (!in.config.empty()) {
    auto errors = meshjobs::load_config_file(absolute(in.config)).errors;
    for (const auto& e : errors)
      std::cerr << "--config: " << e.to_string() << "\n";
    if (!errors.empty())
      return std::nullopt;
  }
  const auto keys = in.keys.empty() ? (fs::path(run_dir) / "keys").string() : absolute(in.keys);
  return local_cluster(in.workers, keys, absolute(in.config));
}

void print_remote_commands(const cluster_plan& plan) {
  for (const auto& node : plan.nodes)
    if (!is_local_host(node.host))
      notice("on " + node.host + ", run " + node.name + " (" + to_string(node.role)
             + "): " + shell_command("meshjobs", node_arguments(node, plan.head())));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshjobs-cluster: runs a meshjobs head and its workers, tails their logs, restarts "
               "the ones that die and stops them all on Ctrl-C or SIGTERM"};
  arguments in;
  define_options(app, in);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return exit_ok;
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  const auto run_dir = absolute(in.dir);
  try {
    auto plan = plan_from(in, run_dir);
    if (!plan)
      return exit_usage;
    if (in.check) {
      std::cout << "cluster file ok: " << in.file << "\n";
      return exit_ok;
    }
    const bool any_local =
      std::any_of(plan->nodes.begin(), plan->nodes.end(), [](const auto& n) { return is_local_host(n.host); });
    const auto bin = in.bin.empty() ? default_bin() : absolute(in.bin);
    if (any_local && ::access(bin.c_str(), X_OK) != 0)
      return usage_error("--bin " + bin + ": not an executable file: " + std::strerror(errno));
    print_remote_commands(*plan);
    if (!any_local) {
      notice("no node of this cluster runs on this machine");
      return exit_ok;
    }
    notice("run directory " + run_dir + "; node logs follow, each line prefixed [NAME]; Ctrl-C stops the cluster");
    return run_local_nodes(*plan, {bin, run_dir, in.max_restarts, std::chrono::seconds{in.grace_s}});
  } catch (const std::exception& e) {
    std::cerr << "meshjobs-cluster: " << e.what() << "\n";
    return exit_failed;
  }
}
