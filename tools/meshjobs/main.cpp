// meshjobs: the node daemon. Runs one embedded node from a config (or the embedded defaults)
// until SIGTERM / SIGINT, then stops gracefully: no new work, running jobs get `timeout` to
// finish, the rest are requeued, the store is flushed, exit 0.
//   meshjobs [--config FILE] [--check] [--demo] [--log-format human|json] [--log-level L]
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "demo.hpp"
#include "demo/demo_jobs.hpp"
#include "logging.hpp"
#include "meshjobs/config/loader.hpp"
#include "meshjobs/runtime.hpp"

namespace {

constexpr int exit_bad_config = 2;

/// Loads and validates the config; prints every error and returns false when there is one.
bool load(const std::string& path, meshjobs::config& out) {
  auto result = path.empty() ? meshjobs::config_result{meshjobs::default_config(), {}}
                             : meshjobs::load_config_file(path);
  for (const auto& e : result.errors)
    std::cerr << e.to_string() << "\n";
  out = std::move(result.value);
  return result.ok();
}

int wait_for_signal(const sigset_t& signals) {
  int sig = 0;
  sigwait(&signals, &sig);
  return sig;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshjobs: a background-job node for the mesh-generation service"};
  std::string config_path, log_format = "human", log_level = "info";
  bool check = false, demo = false;
  app.add_option("--config", config_path, "YAML config (default: the embedded meshjobs.yml)");
  app.add_flag("--check", check, "validate the config and exit (0, or 2 listing every error)");
  app.add_flag("--demo", demo, "run a demo workload to its end, print the figures and exit");
  app.add_option("--log-format", log_format, "human or json");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  CLI11_PARSE(app, argc, argv);

  try {
    meshjobs::tools::setup_logging(log_format, log_level);
  } catch (const std::invalid_argument& e) {
    std::cerr << e.what() << "\n";
    return exit_bad_config;
  }
  meshjobs::config cfg;
  if (!load(config_path, cfg))
    return exit_bad_config;
  if (check) {
    std::cout << "config ok: " << (config_path.empty() ? "<embedded defaults>" : config_path) << "\n";
    return 0;
  }

  // Block the stop signals in every thread (CAF's threads inherit this mask), then wait for
  // them on the main thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    meshjobs::runtime rt{cfg};
    meshjobs::demo::register_demo_jobs(rt);
    rt.start();
    spdlog::info("node {} up: store {} ({}), concurrency {}, {} queues{}", cfg.node.name,
                 meshjobs::to_string(cfg.store.backend),
                 cfg.store.backend == meshjobs::store_backend::sqlite ? cfg.store.path : "volatile",
                 cfg.concurrency, cfg.queues.size(),
                 rt.inject_port() != 0 ? ", inject port " + std::to_string(rt.inject_port()) : "");
    if (demo)
      return meshjobs::tools::run_demo(rt);
    auto sig = wait_for_signal(signals);
    spdlog::info("{} received: stopping gracefully", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    rt.stop();
    spdlog::info("stopped cleanly");
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
