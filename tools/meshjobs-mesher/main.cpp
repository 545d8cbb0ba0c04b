// meshjobs-mesher: a mesh service on the embedded mesher, speaking the protocol of DESIGN.md
// (see mesh_service.hpp), with fault injection for tests (see --help). Runs until SIGTERM or
// SIGINT. The first line on stdout is the bound port alone, so that a caller that asked for
// --port 0 can read it; logs go to stderr.
//   meshjobs-mesher [--host H] [--port P] [--threads N] [--hang status] ...
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "fault_plan.hpp"
#include "mesh_service.hpp"
#include "meshjobs/http/http_server.hpp"

namespace {

constexpr int exit_bad_usage = 2;

}  // namespace

int main(int argc, char** argv) {
  using namespace meshjobs;
  CLI::App app{"meshjobs-mesher: a mesh service (GET /health, POST /generate, GET /status/{job_id}, "
               "GET /result/{job_id}, GET /meshes/{job_id}/mesh.glb) on the embedded mesher"};
  app.footer(R"(
Protocol: POST /generate {image_url, job_id, parameters?, callback_url?} answers 202
{"status":"processing"} (with parameters.wait true: the end, {"status":"completed",...});
GET /status/{job_id} {status, progress, message, result_url}; GET /result/{job_id}
{vertex_count, triangle_count, mesh_url}; callbacks POST callback_url {job_id, progress,
message, status}. parameters: detail_factor (0..1, default 0.02), height_scale (> 0, default
0.25). image_url: a path, file:// or http://. The first line on stdout is the bound port.

)" + mesher_service::fault_help());
  http::server_options http_options;
  mesher_service::service_options options;
  options.threads = std::max(1u, std::thread::hardware_concurrency());
  std::string hang, malformed, error_500, log_level = "info";
  app.add_option("--host", http_options.host, "address to listen on (default 127.0.0.1)");
  app.add_option("--port", http_options.port, "port to listen on; 0: a free one, printed first on stdout");
  app.add_option("--public-url", options.public_url,
                 "base of the result and mesh URLs it hands out (default http://HOST:PORT)");
  app.add_option("--threads", options.threads, "mesher threads (default: the cores)")->check(CLI::Range(1, 256));
  app.add_option("--io-threads", http_options.io_threads, "HTTP io threads (default 1)")->check(CLI::Range(1, 64));
  app.add_option("--queue", options.queue_limit, "generations queued or running before 503 busy (default 256)")
      ->check(CLI::PositiveNumber);
  app.add_option("--keep", options.keep_finished, "finished generations kept for status and results (default 10000)")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-image-bytes", options.image_limits.max_bytes, "largest image accepted");
  app.add_option("--max-pixels", options.image_limits.max_pixels, "most pixels accepted");
  app.add_option("--seed", options.seed, "seed of the failure_rate draws");
  app.add_option("--callback-secret", options.callback_secret,
                 "sign each callback with this key (HMAC-SHA256 in X-Meshjobs-Signature), as meshjobs' "
                 "mesh_service.callback_secret expects");
  app.add_option("--latency-ms", options.faults.latency_ms, "fault: every answer waits this long");
  app.add_option("--failure-rate", options.faults.failure_rate, "fault: fraction of generations that fail")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--hang", hang, "fault: endpoints that never answer (and/or work)");
  app.add_option("--malformed", malformed, "fault: endpoints answering broken JSON");
  app.add_option("--error-500", error_500, "fault: endpoints answering 500");
  app.add_option("--callback", options.faults.callback, "fault: normal, twice or never")
      ->check(CLI::IsMember({"normal", "twice", "never"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  CLI11_PARSE(app, argc, argv);

  try {
    options.faults.hang = mesher_service::parse_endpoints(hang, "--hang", "work");
    options.faults.malformed = mesher_service::parse_endpoints(malformed, "--malformed");
    options.faults.error_500 = mesher_service::parse_endpoints(error_500, "--error-500");
  } catch (const std::invalid_argument& e) {
    std::cerr << "meshjobs-mesher: " << e.what() << "\n";
    return exit_bad_usage;
  }
  spdlog::set_default_logger(spdlog::stderr_logger_mt("meshjobs-mesher"));
  spdlog::set_level(spdlog::level::from_str(log_level));

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  http_options.response_timeout = std::chrono::milliseconds{0};  // "hang" means for ever
  try {
    const bool public_url_given = !options.public_url.empty();
    mesher_service::mesh_service service{options};
    http::server server{http_options};
    service.install(server);
    const auto port = server.start();
    if (!public_url_given)
      service.set_public_url("http://" + http_options.host + ":" + std::to_string(port));
    std::cout << port << std::endl;
    spdlog::info("listening on {}:{} ({} mesher threads)", http_options.host, port, options.threads);
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("signal {}: stopping", sig);
    server.stop();
  } catch (const std::exception& e) {
    std::cerr << "meshjobs-mesher: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
