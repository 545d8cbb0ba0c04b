// meshjobs: the node daemon. Runs one embedded node from a config (or the embedded defaults)
// until SIGTERM / SIGINT, then stops gracefully: no new work, running jobs get `timeout` to
// finish, the rest are requeued, the store is flushed, exit 0.
//   meshjobs [--config FILE] [--check] [--images DIR [--samples N]] [--noop-demo]
//            [--log-format human|json] [--log-level L] [--insecure]
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
    if (cfg.http.port != 0) {
      gateway = std::make_unique<meshjobs::mesh_gateway>(pipeline);
      gateway->start();
    }
    spdlog::info("node {} up: store {} ({}), concurrency {}, {} queues{}", cfg.node.name,
                 meshjobs::to_string(cfg.store.backend),
                 cfg.store.backend == meshjobs::store_backend::sqlite ? cfg.store.path : "volatile",
                 cfg.concurrency, cfg.queues.size(),
                 rt.inject_port() != 0 ? ", inject port " + std::to_string(rt.inject_port()) : "");
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
