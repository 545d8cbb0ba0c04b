// The HTTP server's keep-alive throughput on a trivial POST route, as the gateway's
// POST /api/meshes will see it: wrk (Debian's) drives the server in this process over loopback.
//   http_gateway [--io-threads 1] [--connections 64] [--seconds 5] [--wrk-threads 1]
// Last line: http_gateway requests_per_second=R io_threads=N connections=C
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>

#include "meshjobs/http/http_server.hpp"
#include "meshjobs/messages/json.hpp"

int main(int argc, char** argv) {
  using namespace meshjobs;
  CLI::App app{"http_gateway: requests/s of a trivial POST route under wrk, with keep-alive"};
  unsigned io_threads = 1, wrk_threads = 1;
  int connections = 64, seconds = 5;
  app.add_option("--io-threads", io_threads)->check(CLI::Range(1, 64));
  app.add_option("--connections", connections)->check(CLI::PositiveNumber);
  app.add_option("--seconds", seconds)->check(CLI::PositiveNumber);
  app.add_option("--wrk-threads", wrk_threads)->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);

  http::server_options options;
  options.io_threads = io_threads;
  http::server server{options};
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::uint64_t> refused{0};
  server.route("POST", "/api/meshes", [&](http::request req, http::responder respond) {
    if (auto bad = json::check_object(req.body, "body")) {
      ++refused;
      return respond(http::response::error(400, "bad_body", bad->message));
    }
    json::writer w;
    w.begin_object().key("id").value(next_id++).key("status").value("pending").end_object();
    respond(http::response::json(202, w.take()));
  });
  const auto port = server.start();

  const auto script = std::filesystem::temp_directory_path() / ("http_gateway-" + std::to_string(getpid()) + ".lua");
  std::ofstream{script} << "wrk.method = \"POST\"\n"
                           "wrk.body = '{\"image_url\":\"/images/a.png\",\"parameters\":{\"detail_factor\":0.02}}'\n"
                           "wrk.headers[\"Content-Type\"] = \"application/json\"\n";
  const auto command = "wrk -t" + std::to_string(wrk_threads) + " -c" + std::to_string(connections) + " -d" +
                       std::to_string(seconds) + "s -s " + script.string() + " http://127.0.0.1:" +
                       std::to_string(port) + "/api/meshes 2>&1";
  std::string output;
  if (FILE* wrk = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (std::fgets(buffer, sizeof(buffer), wrk))
      output += buffer;
    pclose(wrk);
  }
  std::filesystem::remove(script);
  server.stop();
  std::cout << output;
  std::smatch rate;
  if (!std::regex_search(output, rate, std::regex{R"(Requests/sec:\s+([0-9.]+))"})) {
    std::cerr << "http_gateway: no Requests/sec in wrk's output (is wrk installed?)\n";
    return 1;
  }
  std::printf("http_gateway requests_per_second=%.0f io_threads=%u connections=%d answered=%llu refused=%llu\n",
              std::stod(rate[1]), io_threads, connections,
              static_cast<unsigned long long>(next_id.load() - 1), static_cast<unsigned long long>(refused.load()));
  return 0;
}
