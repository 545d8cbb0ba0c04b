// meshjobs: the node daemon. Runs one embedded node from a config (or the embedded defaults)
// until SIGTERM / SIGINT, then stops gracefully: no new work, running jobs get `timeout` to
// finish, the rest are requeued, the store is flushed, exit 0.
//   meshjobs [--config FILE] [--check] [--images DIR [--samples N]] [--noop-demo]
//            [--log-format human|json] [--log-level L] [--insecure]
//            [--role standalone|head|worker] [--join HOST:PORT] [--cluster-port P] [--inject-port P]
//            [--name NAME] [--keys DIR] [--run-kinds LIST]
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "demo.hpp"
#include "demo/demo_jobs.hpp"
#include "gateway/mesh_gateway.hpp"
#include "image_run.hpp"
#include "logging.hpp"
#include "mesh_pipeline.hpp"
#include "meshjobs/config/loader.hpp"
#include "meshjobs/messages/json.hpp"
#include "meshjobs/runtime.hpp"

namespace {

constexpr int exit_bad_config = 2;

/// Loads and validates the config; prints every error and returns false when there is one.
bool load(const std::string& path, meshjobs::config& out) {
  auto result = path.empty() ? meshjobs::config_result{meshjobs::default_config(), {}}
                             : meshjobs::load_config_file(path);
  for (auto& e : meshjobs::apply_environment(result.value))
    result.errors.push_back(std::move(e));
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
  bool check = false, demo = false, insecure = false;
  meshjobs::tools::image_run_options images;
  app.add_option("--config", config_path, "YAML config (default: the embedded meshjobs.yml)");
  app.add_flag("--check", check, "validate the config and exit (0, or 2 listing every error)");
  app.add_option("--images", images.dir,
                 "mesh every image in DIR (PNG, JPEG, BMP, PGM) with a thumbnail, show the progress, "
                 "print a table and exit; a second run resumes");
  app.add_option("--samples", images.samples, "with --images: generate N sample images when DIR has none");
  app.add_option("--sample-size", images.sample_size, "their width and height in pixels (default 512)")
    ->check(CLI::Range(16, 4096));
  app.add_option("--parameters", images.parameters,
                 "with --images: the generation's parameters as JSON, e.g. {\"detail_factor\":0.01}");
  app.add_flag("--noop-demo", demo, "run the runtime's no-op demo workload to its end, print the figures and exit");
  app.add_flag("--insecure", insecure,
               "allow security.transport: plaintext on a non-loopback inject_host (peers still prove the "
               "cluster secret, but nothing is encrypted)");
  std::string role, join, name, keys, run_kinds;
  int cluster_port = -1, inject_port = -1;
  app.add_option("--role", role,
                 "standalone (default: one process is the whole system), head (coordinator, store, cron, "
                 "gateway; workers join it) or worker (runs jobs for a head), e.g. --role worker --join 127.0.0.1:7600")
    ->check(CLI::IsMember({"standalone", "head", "worker"}));
  app.add_option("--join", join, "worker: the head's cluster port, HOST:PORT (node.join)");
  app.add_option("--cluster-port", cluster_port, "head: where workers join (node.cluster_port; 0: any free port)")
    ->check(CLI::Range(0, 65535));
  app.add_option("--inject-port", inject_port, "where meshjobs-inject connects (node.inject_port; 0: off)")
    ->check(CLI::Range(0, 65535));
  app.add_option("--name", name, "this node's name in logs and `meshjobs-inject nodes` (node.name)");
  app.add_option("--keys", keys, "the node's credentials directory (security.keys_dir), shared by a cluster's nodes");
  app.add_option("--run-kinds", run_kinds,
                 "the kinds this node runs, comma-separated, `prefix*` allowed, e.g. demo.* (node.run_kinds)");
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
  cfg.security.insecure = insecure;
  if (!role.empty())
    cfg.node.role = role == "head" ? meshjobs::node_role::head
                  : role == "worker" ? meshjobs::node_role::worker
                                     : meshjobs::node_role::standalone;
  if (!join.empty())
    cfg.node.join = join;
  if (cluster_port >= 0)
    cfg.node.cluster_port = cluster_port;
  if (inject_port >= 0)
    cfg.node.inject_port = inject_port;
  if (!name.empty())
    cfg.node.name = name;
  if (!keys.empty())
    cfg.security.keys_dir = keys;
  if (!run_kinds.empty())
    cfg.node.run_kinds = run_kinds;
  // The mesh pipeline's kinds read and write the head's records directly: a worker node runs the
  // kinds that do not, unless told otherwise.
  if (cfg.node.role == meshjobs::node_role::worker && cfg.node.run_kinds.empty())
    cfg.node.run_kinds = "demo.*";
  if (auto err = meshjobs::json::check_object(images.parameters, "--parameters")) {
    std::cerr << err->message << "\n";
    return exit_bad_config;
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
    auto pipeline = meshjobs::register_mesh_pipeline(rt);
    try {
      rt.check();
    } catch (const std::invalid_argument& e) {
      std::cerr << e.what() << "\n";
      return exit_bad_config;
    }
    if (check) {
      std::cout << "config ok: " << (config_path.empty() ? "<embedded defaults>" : config_path) << "\n";
      return 0;
    }
    rt.start();
    std::unique_ptr<meshjobs::mesh_gateway> gateway;
    if (cfg.http.port != 0 && cfg.node.role != meshjobs::node_role::worker) {
      gateway = std::make_unique<meshjobs::mesh_gateway>(pipeline);
      gateway->start();
    }
    if (cfg.node.role == meshjobs::node_role::worker)
      spdlog::info("node {} up: worker of the head at {}, concurrency {}{}", cfg.node.name, cfg.node.join,
                   cfg.concurrency, rt.inject_port() != 0 ? ", inject port " + std::to_string(rt.inject_port()) : "");
    else
      spdlog::info("node {} up: {}, store {} ({}), concurrency {}, {} queues{}{}", cfg.node.name,
                   meshjobs::to_string(cfg.node.role), meshjobs::to_string(cfg.store.backend),
                   cfg.store.backend == meshjobs::store_backend::sqlite ? cfg.store.path : "volatile",
                   cfg.concurrency, cfg.queues.size(),
                   rt.inject_port() != 0 ? ", inject port " + std::to_string(rt.inject_port()) : "",
                   rt.cluster_port() != 0 ? ", cluster port " + std::to_string(rt.cluster_port()) : "");
    if (demo)
      return meshjobs::tools::run_demo(rt);
    if (!images.dir.empty()) {
      // Ctrl-C or SIGTERM mid-run: a graceful stop (what is running finishes or is requeued,
      // the store is flushed); the next run resumes from there.
      std::thread([&rt, signals] {
        auto sig = wait_for_signal(signals);
        spdlog::info("{} received: stopping; run again to resume", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        rt.stop();
        std::_Exit(130);
      }).detach();
      auto code = meshjobs::tools::run_images(rt, *pipeline, images);
      rt.stop();
      return code;
    }
    auto sig = wait_for_signal(signals);
    spdlog::info("{} received: stopping gracefully", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    if (gateway)
      gateway->stop();
    rt.stop();
    spdlog::info("stopped cleanly");
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
