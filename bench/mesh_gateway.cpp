// The gateway's real POST /api/meshes under wrk (Debian's), keep-alive, on a node with the mesh
// pipeline and its SQLite store: each request creates a mesh record and enqueues its
// generation, both durable before the answer. The mesh_generation queue is paused, so the
// figure is the gateway's and the store's, not the mesher's.
//   mesh_gateway [--connections 64] [--seconds 5] [--store sqlite|memory]
// Last line: mesh_gateway requests_per_second=R created=N connections=C store=S
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include "gateway/mesh_gateway.hpp"
#include "mesh_pipeline.hpp"
#include "meshjobs/config/loader.hpp"

int main(int argc, char** argv) {
  using namespace meshjobs;
  CLI::App app{"mesh_gateway: requests/s of POST /api/meshes under wrk, with keep-alive"};
  int connections = 64, seconds = 5;
  std::string store = "sqlite";
  app.add_option("--connections", connections)->check(CLI::PositiveNumber);
  app.add_option("--seconds", seconds)->check(CLI::PositiveNumber);
  app.add_option("--store", store)->check(CLI::IsMember({"sqlite", "memory"}));
  CLI11_PARSE(app, argc, argv);

  const auto dir = std::filesystem::temp_directory_path() / ("mesh_gateway-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto cfg = default_config();
  cfg.schedule.clear();
  cfg.store.backend = store == "sqlite" ? store_backend::sqlite : store_backend::memory;
  cfg.store.path = (dir / "meshjobs.db").string();
  cfg.storage.root = dir.string();
  cfg.http.port = 0;
  std::string output;
  long long created = 0;
  {
    runtime rt{cfg};
    auto pipeline = register_mesh_pipeline(rt);
    rt.start();
    rt.pause("mesh_generation");
    mesh_gateway gateway(pipeline);
    const auto port = gateway.start();
    const auto script = dir / "post.lua";
    std::ofstream{script} << "wrk.method = \"POST\"\n"
                             "wrk.body = '{\"image_url\":\"/images/a.png\",\"project\":\"p\",\"user\":\"u\"}'\n"
                             "wrk.headers[\"Content-Type\"] = \"application/json\"\n";
    const auto command = "wrk -t1 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) + "s -s " +
                         script.string() + " http://127.0.0.1:" + std::to_string(port) + "/api/meshes 2>&1";
    if (FILE* wrk = popen(command.c_str(), "r")) {
      char buffer[4096];
      while (std::fgets(buffer, sizeof(buffer), wrk))
        output += buffer;
      pclose(wrk);
    }
    gateway.stop();
    created = rt.query_records("SELECT COUNT(*) FROM meshes").at(0).at(0).integer;
    rt.stop();
  }
  std::filesystem::remove_all(dir);
  std::cout << output;
  std::smatch rate;
  if (!std::regex_search(output, rate, std::regex{R"(Requests/sec:\s+([0-9.]+))"})) {
    std::cerr << "mesh_gateway: no Requests/sec in wrk's output (is wrk installed?)\n";
    return 1;
  }
  std::printf("mesh_gateway requests_per_second=%.0f created=%lld connections=%d store=%s\n", std::stod(rate[1]),
              created, connections, store.c_str());
  return 0;
}
