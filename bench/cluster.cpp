// The cluster's figures, all nodes on this machine: a head in this process (role head, its
// cluster port on loopback) and worker nodes as real `meshjobs --role worker` processes.
//   cluster --meshjobs PATH [--mode all|throughput|latency|recovery|scaling] [--jobs N] [--runs R]
//           [--samples S] [--kills K] [--spin-ms MS]
// - throughput: no-op jobs through the head and 2 workers, beside one standalone node in the
//   same run (fill a paused queue, resume, time the drain);
// - latency: enqueue to start (the head's `started` event) of one job at a time, idle cluster;
// - recovery: `kill -9` of the worker running a job until that job runs again on the other;
// - scaling: demo.spin jobs on one worker, then on two, each worker pinned to a core (taskset).
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "bench_util.hpp"
#include "link/link_connector.hpp"
#include "link/link_credentials.hpp"
#include "meshjobs/front.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "demo/demo_jobs.hpp"
#include "meshjobs/runtime.hpp"

extern char** environ;

using namespace meshjobs;
using clock_type = std::chrono::steady_clock;

namespace {

std::string meshjobs_bin;
std::filesystem::path work_dir;

/// A worker node process; killed (SIGKILL) when it goes out of scope.
class worker_process {
 public:
  worker_process(const std::string& name, std::uint16_t cluster_port, int concurrency, int core = -1) {
    auto config_path = (work_dir / (name + ".yml")).string();
    std::ofstream{config_path} << "concurrency: " << concurrency << "\nqueues:\n  - [default, 1]\n"
                               << "store:\n  backend: memory\nnode:\n  scheduler_threads: 1\n"
                               << "  connection_timeout_ms: 3000\n";
    std::vector<std::string> args;
    if (core >= 0)
      args = {"taskset", "-c", std::to_string(core)};
    for (const auto& a : {meshjobs_bin, std::string{"--config"}, config_path, std::string{"--role"},
                          std::string{"worker"}, std::string{"--name"}, name, std::string{"--join"},
                          "127.0.0.1:" + std::to_string(cluster_port), std::string{"--keys"},
                          (work_dir / "keys").string(), std::string{"--log-level"}, std::string{"warn"}})
      args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start " + args.front());
  }
  ~worker_process() { kill(); }
  worker_process(const worker_process&) = delete;
  worker_process& operator=(const worker_process&) = delete;

  void kill() {
    if (pid_ <= 0)
      return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

config base_config(int concurrency) {
  config cfg;
  cfg.concurrency = concurrency;
  cfg.queues = {{"default", 1}};
  cfg.store.backend = store_backend::memory;
  cfg.node.max_pending = 10000000;
  cfg.store.finished_max_jobs = 1000;
  return cfg;
}

config head_config() {
  auto cfg = base_config(25);
  cfg.node.role = node_role::head;
  cfg.node.name = "head";
  cfg.node.cluster_port = 0;
  cfg.node.connection_timeout_ms = 3000;
  cfg.security.keys_dir = (work_dir / "keys").string();
  return cfg;
}

/// Waits until the head lists workers of exactly these nodes.
void await_workers(runtime& head, const std::set<std::string>& nodes) {
  auto deadline = clock_type::now() + std::chrono::seconds(30);
  while (clock_type::now() < deadline) {
    std::set<std::string> seen;
    for (const auto& w : head.stats().workers)
      seen.insert(w.node);
    if (seen == nodes)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the workers did not join within 30 s");
}

double drain_rate(runtime& rt, const std::string& kind, const std::string& args, int jobs) {
  rt.pause("default");
  constexpr int batch_size = 1000;
  for (int done = 0; done < jobs; done += batch_size) {
    std::vector<enqueue_request> batch(static_cast<std::size_t>(std::min(batch_size, jobs - done)));
    for (auto& req : batch) {
      req.kind = kind;
      req.args = args;
    }
    rt.enqueue_many(std::move(batch));
  }
  const auto before = rt.stats().processed;
  auto t0 = clock_type::now();
  rt.resume("default");
  if (!rt.drain(std::chrono::minutes(10)))
    throw std::runtime_error("did not drain within 10 minutes");
  auto t1 = clock_type::now();
  if (rt.stats().processed - before != static_cast<std::uint64_t>(jobs))
    throw std::runtime_error("processed " + std::to_string(rt.stats().processed - before) + " of " +
                             std::to_string(jobs));
  return jobs / std::chrono::duration<double>(t1 - t0).count();
}

void throughput(int jobs, int runs) {
  std::vector<double> one, cluster;
  for (int r = 0; r < runs; ++r) {
    {
      auto cfg = base_config(256);
      cfg.node.run_kinds = "demo.noop";
      runtime rt{cfg};
      demo::register_demo_jobs(rt);
      rt.start();
      one.push_back(drain_rate(rt, "demo.noop", "{}", jobs));
      rt.stop();
    }
    {
      runtime head{head_config()};
      demo::register_demo_jobs(head);
      head.start();
      worker_process w1{"w1", head.cluster_port(), 256}, w2{"w2", head.cluster_port(), 256};
      await_workers(head, {"w1", "w2"});
      cluster.push_back(drain_rate(head, "demo.noop", "{}", jobs));
      head.stop();
    }
    std::printf("run %d: one node %.0f jobs/s, head + 2 workers %.0f jobs/s\n", r + 1, one.back(), cluster.back());
    std::fflush(stdout);
  }
  std::printf("THROUGHPUT one_node_jobs_per_s=%.0f cluster_jobs_per_s=%.0f jobs=%d runs=%d\n", bench::median(one),
              bench::median(cluster), jobs, runs);
}

/// Started events by job id, as the head publishes them.
class start_watch {
 public:
  explicit start_watch(runtime& rt) : rt_(rt) {
    sub_ = rt.subscribe_events([this](const job_event& e) {
      if (e.what != event_kind::started)
        return;
      std::lock_guard<std::mutex> guard{m_};
      started_[e.id].push_back(clock_type::now());
      cv_.notify_all();
    });
  }
  ~start_watch() { rt_.unsubscribe_events(sub_); }

  /// When job `id` started for the `nth` time (1-based); throws after 30 s.
  clock_type::time_point await(job_id id, std::size_t nth = 1) {
    std::unique_lock<std::mutex> lock{m_};
    if (!cv_.wait_for(lock, std::chrono::seconds(30), [&] { return started_[id].size() >= nth; }))
      throw std::runtime_error("job " + std::to_string(id) + " did not start");
    return started_[id][nth - 1];
  }

 private:
  runtime& rt_;
  std::uint64_t sub_ = 0;
  std::mutex m_;
  std::condition_variable cv_;
  std::map<job_id, std::vector<clock_type::time_point>> started_;
};

/// A TCP port on loopback that was free a moment ago.
std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

/// A client process's view: its own actor system, linked to the head's inject port as
/// meshjobs-inject is (TLS, the cluster secret).
class remote_client {
 public:
  explicit remote_client(std::uint16_t port) : sys_(configured(cfg_)) {
    config node;
    node.security.keys_dir = (work_dir / "keys").string();
    auto credentials = link::load_credentials(link::sources_from(node));
    front_ = caf::actor_cast<front_actor>(
      link::connect_link(sys_, "127.0.0.1", port, credentials, std::chrono::seconds(10)).actor);
  }

  job_id enqueue(const std::string& kind) {
    enqueue_request req;
    req.kind = kind;
    job_id id = 0;
    caf::scoped_actor self{sys_};
    self->request(front_, std::chrono::seconds(10), enqueue_atom::value, req)
      .receive([&](const enqueue_reply& r) { id = r.id; },
               [&](caf::error& e) { throw std::runtime_error("enqueue: " + caf::to_string(e)); });
    return id;
  }

 private:
  static caf::actor_system_config& configured(caf::actor_system_config& cfg) {
    register_message_types(cfg);
    cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(250)});
    return cfg.load<caf::io::middleman>();
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  front_actor front_;
};

void latency(int samples) {
  auto cfg = head_config();
  cfg.node.inject_port = free_port();
  runtime head{cfg};
  demo::register_demo_jobs(head);
  head.start();
  worker_process w1{"w1", head.cluster_port(), 25};
  await_workers(head, {"w1"});
  start_watch watch{head};
  std::vector<double> local, remote;
  {
    remote_client client{head.inject_port()};
    for (int i = 0; i < samples; ++i) {
      auto t0 = clock_type::now();
      auto id = client.enqueue("demo.noop");
      remote.push_back(std::chrono::duration<double, std::milli>(watch.await(id) - t0).count());
      t0 = clock_type::now();
      id = head.enqueue("demo.noop", "{}").id;
      local.push_back(std::chrono::duration<double, std::milli>(watch.await(id) - t0).count());
    }
  }
  head.stop();
  std::sort(remote.begin(), remote.end());
  std::sort(local.begin(), local.end());
  std::printf("LATENCY remote_enqueue_to_start_ms p50=%.3f p99=%.3f max=%.3f samples=%d "
              "(a client process's enqueue over the inject link, the job started on a worker node)\n",
              bench::quantile(remote, 0.5), bench::quantile(remote, 0.99), remote.back(), samples);
  std::printf("LATENCY head_enqueue_to_start_ms p50=%.3f p99=%.3f max=%.3f samples=%d "
              "(the head's own facade, the job started on a worker node)\n",
              bench::quantile(local, 0.5), bench::quantile(local, 0.99), local.back(), samples);
}

void recovery(int kills) {
  runtime head{head_config()};
  demo::register_demo_jobs(head);
  head.start();
  std::map<std::string, std::unique_ptr<worker_process>> workers;
  int next = 1;
  auto add = [&] {
    auto name = "w" + std::to_string(next++);
    workers[name] = std::make_unique<worker_process>(name, head.cluster_port(), 4);
    return name;
  };
  add();
  add();
  start_watch watch{head};
  std::vector<double> ms;
  for (int k = 0; k < kills; ++k) {
    std::set<std::string> names;
    for (const auto& [n, w] : workers)
      names.insert(n);
    await_workers(head, names);
    auto id = head.enqueue("demo.sleep", "{\"ms\":600000}").id;
    watch.await(id);
    std::string victim;
    for (const auto& w : head.stats().workers)
      if (w.running > 0)
        victim = w.node;
    auto t0 = clock_type::now();
    workers.at(victim)->kill();
    auto t1 = watch.await(id, 2);
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    head.cancel(id);
    workers.erase(victim);
    add();
  }
  head.stop();
  std::printf("RECOVERY kill_to_running_again_ms median=%.1f max=%.1f kills=%d\n", bench::median(ms),
              *std::max_element(ms.begin(), ms.end()), kills);
}

void scaling(int spin_ms, int jobs, int per_worker) {
  const auto args = "{\"ms\":" + std::to_string(spin_ms) + "}";
  double rates[2] = {0, 0};
  for (int n = 1; n <= 2; ++n) {
    runtime head{head_config()};
    demo::register_demo_jobs(head);
    head.start();
    std::vector<std::unique_ptr<worker_process>> ws;
    std::set<std::string> names;
    for (int i = 0; i < n; ++i) {
      names.insert("w" + std::to_string(i + 1));
      ws.push_back(std::make_unique<worker_process>("w" + std::to_string(i + 1), head.cluster_port(), per_worker, i));
    }
    await_workers(head, names);
    rates[n - 1] = drain_rate(head, "demo.spin", args, jobs * n);
    head.stop();
    std::printf("%d worker(s), one core each, concurrency %d: %.1f spin jobs/s (%d ms each)\n", n, per_worker,
                rates[n - 1], spin_ms);
    std::fflush(stdout);
  }
  std::printf("SCALING one_worker_jobs_per_s=%.1f two_workers_jobs_per_s=%.1f ratio=%.2f\n", rates[0], rates[1],
              rates[1] / rates[0]);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meshjobs cluster figures"};
  std::string mode = "all";
  int jobs = 200000, runs = 3, samples = 1000, kills = 20, spin_ms = 20, spin_jobs = 100, spin_concurrency = 1;
  app.add_option("--meshjobs", meshjobs_bin, "the meshjobs binary the workers run")->required();
  app.add_option("--mode", mode)->check(CLI::IsMember({"all", "throughput", "latency", "recovery", "scaling"}));
  app.add_option("--jobs", jobs, "no-op jobs per throughput run");
  app.add_option("--runs", runs, "throughput runs (medians reported)");
  app.add_option("--samples", samples, "latency samples");
  app.add_option("--kills", kills, "recovery kills");
  app.add_option("--spin-ms", spin_ms, "each demo.spin job's CPU time");
  app.add_option("--spin-jobs", spin_jobs, "demo.spin jobs per worker");
  app.add_option("--spin-concurrency", spin_concurrency,
                 "each scaling worker's concurrency (default 1: one job per core at a time)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  work_dir = std::filesystem::temp_directory_path() / ("meshjobs-bench-cluster-" + std::to_string(getpid()));
  std::filesystem::create_directories(work_dir);
  try {
    if (mode == "all" || mode == "throughput")
      throughput(jobs, runs);
    if (mode == "all" || mode == "latency")
      latency(samples);
    if (mode == "all" || mode == "recovery")
      recovery(kills);
    if (mode == "all" || mode == "scaling")
      scaling(spin_ms, spin_jobs, spin_concurrency);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cluster bench: %s\n", e.what());
    std::filesystem::remove_all(work_dir);
    return 1;
  }
  std::filesystem::remove_all(work_dir);
  return 0;
}
