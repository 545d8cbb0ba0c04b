// The `http` backend's throughput against meshjobs-mesher: N generations of small images, each
// as the backend runs it (generate with a callback URL, the callback "completed" ends the wait,
// fetch_result, fetch_mesh), W at a time. --mode wait uses generate's wait instead of the
// callback. --mode jobs runs them as the node does: mesh records created and mesh.generation
// jobs of the `http` backend on a runtime with the whole pipeline (its gateway takes the
// callbacks; thumbnails and notifications follow), timed until every generation has ended.
// meshjobs-mesher is started here as a process on loopback.
//   http_backend [--generations 1000] [--window 64] [--size 32] [--mode callback|wait|jobs]
//                [--mesher PATH] [--mesher-threads 2]
// Last line: http_backend generations=N mode=M seconds=S per_second=R failures=F
#include <CLI/CLI.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <unordered_map>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "gateway/mesh_gateway.hpp"
#include "mesh/mesh_service_client.hpp"
#include "mesh_pipeline.hpp"
#include "meshjobs/config/loader.hpp"
#include "mesh/mesher/sample_images.hpp"
#include "meshjobs/http/http_client.hpp"
#include "meshjobs/http/http_server.hpp"
#include "meshjobs/messages/json.hpp"

namespace {

using namespace meshjobs;
using clock_type = std::chrono::steady_clock;

/// meshjobs-mesher as a child process; its port read from the first line of its stdout.
class mesher_child {
 public:
  mesher_child(const std::string& path, const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0)
      throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::vector<char*> argv{const_cast<char*>(path.c_str())};
      for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(path.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n')
      line += c;
    close(out[0]);
    if (line.empty())
      throw std::runtime_error("meshjobs-mesher (" + path + ") did not print its port");
    port_ = static_cast<std::uint16_t>(std::stoul(line));
  }
  ~mesher_child() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

/// Generations in flight, and the waits the callbacks end.
class run_state {
 public:
  explicit run_state(int total) : total_(total) {}

  void finished(bool ok) {
    std::lock_guard<std::mutex> guard{mutex_};
    ++done_;
    failures_ += ok ? 0 : 1;
    changed_.notify_all();
  }
  /// Blocks until fewer than `window` run; false when all `total` have been started.
  bool next_slot(int window, int& index) {
    std::unique_lock<std::mutex> guard{mutex_};
    changed_.wait(guard, [&] { return started_ - done_ < window; });
    if (started_ == total_)
      return false;
    index = started_++;
    return true;
  }
  void await_all() {
    std::unique_lock<std::mutex> guard{mutex_};
    changed_.wait(guard, [&] { return done_ == total_; });
  }
  int failures() {
    std::lock_guard<std::mutex> guard{mutex_};
    return failures_;
  }
  /// The callback "completed" for `job_id` ends its wait: `then` runs once.
  void on_completed(const std::string& job_id, std::function<void()> then) {
    std::lock_guard<std::mutex> guard{mutex_};
    waiting_[job_id] = std::move(then);
  }
  void completed(const std::string& job_id) {
    std::function<void()> then;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      auto it = waiting_.find(job_id);
      if (it == waiting_.end())
        return;
      then = std::move(it->second);
      waiting_.erase(it);
    }
    then();
  }
  /// Drops the wait of a generation that failed; true if there was one.
  bool forget(const std::string& job_id) {
    std::lock_guard<std::mutex> guard{mutex_};
    return waiting_.erase(job_id) > 0;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int total_;
  int started_ = 0;
  int done_ = 0;
  int failures_ = 0;
  std::unordered_map<std::string, std::function<void()>> waiting_;
};

/// A loopback port that was free a moment ago, for the gateway (the callbacks' URL names it).
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// --mode jobs: the generations as mesh.generation jobs of a node on the `http` backend.
int run_jobs(std::uint16_t mesher_port, const std::vector<std::string>& images, int generations,
             const std::filesystem::path& dir) {
  auto cfg = default_config();
  cfg.schedule.clear();
  cfg.limits.clear();  // the seed's limit of 10 generations at once would measure the limit
  cfg.store.backend = store_backend::memory;
  cfg.storage.root = dir.string();
  cfg.mesh_service.backend = mesh_backend::http;
  cfg.mesh_service.url = "http://127.0.0.1:" + std::to_string(mesher_port);
  cfg.mesh_service.callback_secret = "bench";
  cfg.http.port = free_port();
  spdlog::set_level(spdlog::level::warn);
  runtime rt{cfg};
  auto pipeline = register_mesh_pipeline(rt);
  rt.start();
  mesh_gateway gateway(pipeline);
  gateway.start();
  std::mutex mutex;
  std::condition_variable ended;
  int done = 0;
  // Before the first enqueue: a quick generation ends while the rest are being created.
  rt.subscribe_events([&](const job_event& e) {
    if (e.kind == "mesh.generation" && is_outcome(e.what) && e.what != event_kind::retrying) {
      std::lock_guard<std::mutex> guard{mutex};
      ++done;
      ended.notify_all();
    }
  });
  // The meshes are created with their queue paused, so that the figure is the backend's (the
  // gateway's figure is bench/mesh_gateway's).
  rt.pause("mesh_generation");
  const auto creating = clock_type::now();
  for (int i = 0; i < generations; ++i)
    pipeline->create_mesh({"bench", "bench", images[static_cast<std::size_t>(i) % images.size()],
                           R"({"detail_factor":0.01})"});
  const auto created = std::chrono::duration<double>(clock_type::now() - creating).count();
  const auto start = clock_type::now();
  rt.resume("mesh_generation");
  {
    std::unique_lock<std::mutex> guard{mutex};
    ended.wait(guard, [&] { return done >= generations; });
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  const auto completed = rt.query_records("SELECT COUNT(*) FROM meshes WHERE status = 'completed'").at(0).at(0).integer;
  rt.drain(std::chrono::seconds(60));
  gateway.stop();
  rt.stop();
  std::printf("http_backend generations=%d mode=jobs seconds=%.3f per_second=%.0f completed=%lld "
              "(creating the records and jobs before, one at a time: %.3f s)\n",
              generations, seconds, generations / seconds, static_cast<long long>(completed), created);
  return completed == generations ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"http_backend: generations/s of the http backend against meshjobs-mesher"};
  int generations = 1000, window = 64, mesher_threads = 2;
  std::uint32_t size = 32;
  std::string mode = "callback";
  std::string mesher = (std::filesystem::path{argv[0]}.parent_path() / "../tools/meshjobs-mesher").string();
  app.add_option("--generations", generations)->check(CLI::PositiveNumber);
  app.add_option("--window", window, "generations in flight")->check(CLI::PositiveNumber);
  app.add_option("--size", size, "image side in pixels")->check(CLI::Range(2, 4096));
  app.add_option("--mode", mode)->check(CLI::IsMember({"callback", "wait", "jobs"}));
  app.add_option("--mesher", mesher, "the meshjobs-mesher binary");
  app.add_option("--mesher-threads", mesher_threads)->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  auto dir = std::filesystem::temp_directory_path() / ("http_backend-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> images;
  for (std::uint32_t seed = 1; seed <= 16; ++seed) {
    images.push_back((dir / ("img" + std::to_string(seed) + ".png")).string());
    std::ofstream{images.back(), std::ios::binary} << mesher::make_sample_png(size, size, seed);
  }

  mesher_child child{mesher, {"--port", "0", "--threads", std::to_string(mesher_threads),
                              "--io-threads", "1", "--queue", "100000", "--log-level", "warn",
                              "--callback-secret", "bench"}};
  if (mode == "jobs") {
    auto code = run_jobs(child.port(), images, generations, dir);
    std::filesystem::remove_all(dir);
    return code;
  }
  http::client http_client;
  mesh::mesh_service_options options;
  options.base_url = "http://127.0.0.1:" + std::to_string(child.port());
  mesh::mesh_service_client service{http_client, options};
  run_state state{generations};

  http::server callbacks{http::server_options{}};
  callbacks.route("POST", "/callbacks", [&state](http::request req, http::responder respond) {
    respond(http::response::json(200, "{}"));
    auto body = json::object::parse(req.body, "callback");
    auto* o = std::get_if<json::object>(&body);
    if (!o)
      return;
    auto id = o->get_string("job_id").value_or("");
    if (o->get_string("status") == "completed")
      state.completed(id);
    else if (o->get_string("status") == "failed" && state.forget(id))
      state.finished(false);
  });
  const auto callback_url = "http://127.0.0.1:" + std::to_string(callbacks.start()) + "/callbacks";

  auto fetch = [&](const std::string& result_url) {
    service.fetch_result(result_url, [&](mesh::service_outcome<mesh::generation_result> r) {
      auto* result = std::get_if<mesh::generation_result>(&r);
      if (!result)
        return state.finished(false);
      service.fetch_mesh(result->mesh_url, [&](mesh::service_outcome<std::string> glb) {
        state.finished(std::holds_alternative<std::string>(glb));
      });
    });
  };

  const auto start = clock_type::now();
  int index = 0;
  while (state.next_slot(window, index)) {
    mesh::generate_request req;
    req.image_url = images[static_cast<std::size_t>(index) % images.size()];
    req.job_id = "bench-" + std::to_string(index);
    req.parameters_json = mode == "wait" ? R"({"detail_factor":0.01,"wait":true})" : R"({"detail_factor":0.01})";
    if (mode == "callback") {
      req.callback_url = callback_url;
      const auto result_url = options.base_url + "/result/" + req.job_id;
      state.on_completed(req.job_id, [&fetch, result_url] { fetch(result_url); });
    }
    service.generate(req, [&, id = req.job_id](mesh::service_outcome<mesh::generation_status> r) {
      auto* status = std::get_if<mesh::generation_status>(&r);
      if (!status || status->status == "failed") {
        if (mode == "wait" || state.forget(id))
          state.finished(false);
        return;
      }
      if (status->status == "completed")
        fetch(status->result_url);
    });
  }
  state.await_all();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  callbacks.stop();
  http_client.stop();
  std::filesystem::remove_all(dir);
  std::printf("http_backend generations=%d mode=%s size=%ux%u mesher_threads=%d seconds=%.3f per_second=%.0f failures=%d\n",
              generations, mode.c_str(), size, size, mesher_threads, seconds, generations / seconds,
              state.failures());
  return state.failures() == 0 ? 0 : 1;
}
