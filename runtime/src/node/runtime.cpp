// The embedded facade: builds the actor system from the config and talks to the coordinator
// from the host's threads with blocking requests (each with a timeout).
#include "meshjobs/runtime.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <stdexcept>

#include "events/channel_hub.hpp"
#include "coordinator/coordinator.hpp"
#include "schedule/cron_schedule.hpp"
#include "events/event_bus.hpp"
#include "events/event_listener.hpp"
#include "node/forget_system_on_this_thread.hpp"
#include "node/front.hpp"
#include "node/uplink.hpp"
#include "node/worker_front.hpp"
#include "link/link_listener.hpp"
#include "link/node_link_setup.hpp"
#include "events/log_observer.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "meshjobs/messages/json.hpp"
#include "meshjobs/messages/time_limits.hpp"
#include "events/observer_feed.hpp"
#include "node/scheduler_threads.hpp"
#include "supervision/local_workers.hpp"
#include "supervision/worker_pool.hpp"

namespace meshjobs {
namespace {

constexpr auto request_timeout = std::chrono::seconds(60);
constexpr std::size_t default_event_buffer = 65536;

class node_system_config : public caf::actor_system_config {
 public:
  explicit node_system_config(const config& cfg) {
    register_message_types(*this);
    // Measured on 2 cores (bench/throughput, no-op jobs): one sharing thread ran 580k jobs/s,
    // two work-stealing threads 180k; the stealing workers' polling and sleeping dominated.
    if (cfg.node.scheduler == scheduler_policy::sharing)
      set("scheduler.policy", caf::atom("sharing"));
    if (cfg.node.scheduler_threads > 0)
      set("scheduler.max-threads", cfg.node.scheduler_threads);
    else
      set("scheduler.max-threads", default_scheduler_threads(std::thread::hardware_concurrency()));
    if (cfg.node.inject_port != 0 || cfg.node.role != node_role::standalone) {
      load<caf::io::middleman>();
      // A hung or cut-off peer is noticed only through these (CAF's defaults turn both off).
      set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds{cfg.node.heartbeat_interval_ms}});
      set("middleman.connection-timeout", caf::timespan{std::chrono::milliseconds{cfg.node.connection_timeout_ms}});
    }
  }
};

using channel_callback = std::function<void(const std::string&, const std::string&)>;

// CAF 0.17 binds a reference to a null argument tuple when a function-based actor is spawned
// with no arguments (undefined behaviour, which UBSan stops on): every actor here is spawned
// with at least one.
channel_hub_actor spawn_channel_hub(caf::actor_system& sys) {
  struct no_argument {};
  return sys.spawn([](channel_hub_actor::stateful_pointer<channel_hub_state> self,
                      no_argument) { return channel_hub(self); },
                   no_argument{});
}

caf::behavior subscriber(caf::event_based_actor*, const channel_callback& fn) {
  return {
    [fn](publish_atom, const std::string& ch, const std::string& payload) { fn(ch, payload); },
  };
}

void check_type(const job_type& t, const config& cfg) {
  if (t.kind.empty())
    throw std::invalid_argument("register_type: kind is empty");
  if (!t.perform && !t.start)
    throw std::invalid_argument("register_type: " + t.kind + ": no handler (perform or start)");
  if (t.perform && t.start)
    throw std::invalid_argument("register_type: " + t.kind +
                                ": both perform and start are set; a job is synchronous (perform) "
                                "or asynchronous (start), not both");
  if (t.start && (!t.before_perform.empty() || !t.around_perform.empty() || !t.after_perform.empty()))
    throw std::invalid_argument("register_type: " + t.kind +
                                ": before/around/after_perform hooks wrap a synchronous perform; an "
                                "asynchronous job (start) cannot have them");
  bool known_queue = false;
  for (const auto& q : cfg.queues)
    known_queue = known_queue || q.name == t.queue;
  if (!known_queue)
    throw std::invalid_argument("register_type: " + t.kind + ": queue \"" + t.queue +
                                "\" is not in the config's queues");
  // Each of these becomes a timer: past the bound, now + it overflows.
  const std::chrono::milliseconds bound{max_time_ahead_s * 1000};
  const std::pair<const char*, std::chrono::milliseconds> durations[] = {
    {"timeout", t.timeout},
    {"intensity.window", t.intensity.window},
    {"intensity.backoff", t.intensity.backoff},
    {"intensity.max_backoff", t.intensity.max_backoff},
  };
  for (const auto& [name, value] : durations)
    if (value.count() < 0 || value > bound)
      throw std::invalid_argument("register_type: " + t.kind + ": " + name + " must be from 0 to " +
                                  max_time_ahead_text + " (got " + std::to_string(value.count()) +
                                  " ms)");
}

}  // namespace

struct runtime::impl {
  std::shared_ptr<runtime_env> env = std::make_shared<runtime_env>();
  std::unique_ptr<node_system_config> sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  coordinator_actor coord;  ///< null on a worker node
  uplink_actor uplink;       ///< a worker node's link to its head
  client_interface client;   ///< where the facade's calls go: the coordinator or the uplink
  local_workers_actor workers;
  channel_hub_actor hub;
  std::shared_ptr<link::link_listener> listener;
  front_keeper_actor front_keeper;
  std::shared_ptr<link::link_listener> cluster_listener;
  front_keeper_actor cluster_keeper;
  std::uint16_t cluster_port = 0;
  std::shared_ptr<view_table> views = std::make_shared<view_table>();
  std::shared_ptr<store> db;
  std::uint16_t inject_port = 0;
  std::unordered_map<std::uint64_t, std::pair<std::string, caf::actor>> subscriptions;
  std::uint64_t next_subscription = 1;
  std::mutex subscriptions_mutex;
  std::map<std::uint64_t, std::shared_ptr<event_listener>> listeners;
  std::uint64_t next_listener = 1;
  std::mutex listeners_mutex;
  bool started = false;
  bool stopped = false;

  template <class Result, class Handle, class Timeout, class... Ts>
  Result call(const Handle& dest, Timeout timeout, Ts&&... xs) {
    if (!started || stopped)
      throw std::logic_error("meshjobs: runtime is not running");
    forget_system_on_this_thread forget;
    caf::scoped_actor self{*sys};
    Result result{};
    caf::error failure;
    self->request(dest, timeout, std::forward<Ts>(xs)...)
      .receive([&](Result& r) { result = std::move(r); }, [&](caf::error& e) { failure = std::move(e); });
    if (failure)
      throw std::runtime_error("meshjobs: coordinator request failed: " + sys->render(failure));
    return result;
  }

  std::uint64_t listen(const std::string& name, event_mask mask, std::size_t buffer,
                       event_listener::callback fn) {
    std::lock_guard<std::mutex> guard{listeners_mutex};
    auto id = next_listener++;
    auto subscription = env->events->subscribe(name + "#" + std::to_string(id), mask, buffer);
    listeners.emplace(id, std::make_shared<event_listener>(env->events, std::move(subscription), std::move(fn)));
    return id;
  }

  /// Each listener gets what is already buffered for it, then ends.
  void close_listeners() {
    std::map<std::uint64_t, std::shared_ptr<event_listener>> closing;
    {
      std::lock_guard<std::mutex> guard{listeners_mutex};
      closing.swap(listeners);
    }
  }

  /// Waits until each listener has been handed what its buffer holds now.
  bool settle_listeners(std::chrono::steady_clock::time_point deadline) {
    std::vector<std::shared_ptr<event_listener>> now;
    {
      std::lock_guard<std::mutex> guard{listeners_mutex};
      for (const auto& [id, l] : listeners)
        now.push_back(l);
    }
    for (const auto& l : now)
      if (!l->wait_idle(deadline))
        return false;
    return true;
  }

  void shutdown_actors() {
    if (listener)
      listener->stop();
    if (cluster_listener)
      cluster_listener->stop();
    // The keeper kills the front it watches: the front itself traps every exit it can.
    if (front_keeper)
      caf::anon_send_exit(front_keeper, caf::exit_reason::user_shutdown);
    if (cluster_keeper)
      caf::anon_send_exit(cluster_keeper, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    if (coord)
      caf::anon_send_exit(coord, caf::exit_reason::user_shutdown);
    if (uplink)
      caf::anon_send_exit(uplink, caf::exit_reason::user_shutdown);
    if (workers)
      caf::anon_send_exit(workers, caf::exit_reason::user_shutdown);
    {
      std::lock_guard<std::mutex> guard{subscriptions_mutex};
      for (auto& [id, sub] : subscriptions)
        caf::anon_send_exit(sub.second, caf::exit_reason::user_shutdown);
      subscriptions.clear();
    }
    front_keeper = nullptr;
    cluster_keeper = nullptr;
    listener.reset();
    cluster_listener.reset();
    hub = nullptr;
    coord = nullptr;
    uplink = nullptr;
    client = nullptr;
    workers = nullptr;
    sys->await_all_actors_done();
    close_listeners();
    // Close the pool while the actor system is alive: its idle threads are joined, and a
    // thread still inside a hung handler is left behind, unable to reach the system after this.
    env->pool.reset();
    sys.reset();
    db.reset();
  }
};

runtime::runtime(config cfg, std::shared_ptr<meshjobs::clock> clk) : impl_(std::make_unique<impl>()) {
  impl_->env->cfg = std::move(cfg);
  impl_->env->clk = clk ? std::move(clk) : std::make_shared<system_clock>();
  impl_->env->events = std::make_shared<event_bus>();
  impl_->listen("log", log_observer::wanted(), default_event_buffer,
                observer_callback(std::make_shared<log_observer>()));
}

runtime::~runtime() {
  try {
    stop();
  } catch (const std::exception& e) {
    spdlog::error("meshjobs: stop during destruction failed: {}", e.what());
  }
}

void runtime::register_type(job_type type) {
  if (impl_->started)
    throw std::logic_error("register_type: the runtime has started; register types before start()");
  check_type(type, impl_->env->cfg);
  auto& env = *impl_->env;
  if (env.type_index.count(type.kind) != 0)
    throw std::invalid_argument("register_type: " + type.kind + ": already registered");
  env.type_index.emplace(type.kind, static_cast<std::uint32_t>(env.types.size()));
  env.spec_index.emplace(type.kind, static_cast<std::uint32_t>(env.specs.size()));
  env.specs.push_back(type.spec());
  env.types.push_back(std::make_shared<const job_type>(std::move(type)));
}

void runtime::add_observer(std::shared_ptr<observer> obs) {
  if (impl_->stopped)
    throw std::logic_error("add_observer: the runtime has stopped");
  impl_->listen("observer", all_events, default_event_buffer, observer_callback(std::move(obs)));
}

std::uint64_t runtime::subscribe_events(std::function<void(const job_event&)> fn, std::size_t buffer) {
  if (impl_->stopped)
    throw std::logic_error("subscribe_events: the runtime has stopped");
  if (buffer == 0)
    throw std::invalid_argument("subscribe_events: buffer must be > 0");
  return impl_->listen("events", all_events, buffer, std::move(fn));
}

void runtime::unsubscribe_events(std::uint64_t subscription) {
  std::shared_ptr<event_listener> closing;
  {
    std::lock_guard<std::mutex> guard{impl_->listeners_mutex};
    auto i = impl_->listeners.find(subscription);
    if (i == impl_->listeners.end())
      return;
    closing = std::move(i->second);
    impl_->listeners.erase(i);
  }
}

void runtime::register_records(record_schema schema) {
  if (impl_->started)
    throw std::logic_error("register_records: the runtime has started; register records before start()");
  if (schema.name.empty())
    throw std::invalid_argument("register_records: the schema has no name");
  for (const auto& known : impl_->env->record_schemas)
    if (known.name == schema.name)
      throw std::invalid_argument("register_records: " + schema.name + ": already registered");
  impl_->env->record_schemas.push_back(std::move(schema));
}

void runtime::register_view(std::string name, std::function<std::optional<std::string>(const std::string&)> fn) {
  if (impl_->started)
    throw std::logic_error("register_view: the runtime has started; register views before start()");
  if (name.empty() || !fn)
    throw std::invalid_argument("register_view: a view needs a name and a function");
  if (!impl_->views->emplace(name, std::move(fn)).second)
    throw std::invalid_argument("register_view: " + name + ": already registered");
}

void runtime::check() const {
  const auto& env = *impl_->env;
  // A config built in code skipped the loader's checks: a bad entry stops the start here, not
  // the coordinator once it runs.
  [[maybe_unused]] const cron_schedule checked{env.cfg.schedule};
  std::string known;
  for (const auto& t : env.types)
    known += (known.empty() ? "" : ", ") + t->kind;
  std::string unknown;
  for (const auto& entry : env.cfg.schedule)
    if (env.find_type(entry.kind) == nullptr)
      unknown += std::string{unknown.empty() ? "" : "\n"} + "config: schedule." + entry.name +
                 ": no job type \"" + entry.kind + "\" is registered on this node (known: " +
                 (known.empty() ? "none" : known) + ")";
  if (!unknown.empty())
    throw std::invalid_argument(unknown);
  const auto& node = env.cfg.node;
  if (node.role == node_role::worker && !join_address(node.join))
    throw std::invalid_argument("config: node.join: a worker needs its head's cluster port, HOST:PORT (got \"" +
                                node.join + "\")");
  if (node.inject_port != 0)
    link::check_publishable(env.cfg, node.inject_host, "node.inject_host");
  if (node.role == node_role::head)
    link::check_publishable(env.cfg, node.cluster_host, "node.cluster_host");
  if (node.role == node_role::worker)
    link::check_publishable(env.cfg, join_address(node.join)->host, "node.join");
  if (node.inject_port != 0 || node.role != node_role::standalone)
    link::check_link_credentials(env.cfg);
}

void runtime::start() {
  auto& d = *impl_;
  if (d.started)
    throw std::logic_error("start: already started");
  auto& env = *d.env;
  check();
  const auto& node = env.cfg.node;
  const bool head_side = node.role != node_role::worker;  // a coordinator and a store here
  link::link_credentials credentials;
  if (node.inject_port != 0 || node.role != node_role::standalone)
    credentials = link::node_link_credentials(env.cfg);
  if (head_side) {
    std::shared_ptr<store> db = open_store(env.cfg.store);
    db->migrate_records(env.record_schemas);
    d.db = db;
  }
  env.pool = std::make_shared<worker_pool>(static_cast<std::size_t>(env.cfg.concurrency),
                                           static_cast<std::size_t>(node.max_written_off_threads));
  d.sys_cfg = std::make_unique<node_system_config>(env.cfg);
  d.sys = std::make_unique<caf::actor_system>(*d.sys_cfg);
  std::shared_ptr<const runtime_env> shared_env = d.env;
  worker_link_actor link;
  if (head_side) {
    d.coord = d.sys->spawn(coordinator, shared_env, d.db);
    link = d.coord;
    d.client = d.coord;
  } else {
    uplink_settings settings;
    settings.head = *join_address(node.join);
    settings.credentials = credentials;
    settings.join_timeout = credentials.handshake_timeout;
    settings.rejoin_min = std::chrono::milliseconds{node.rejoin_min_ms};
    settings.rejoin_max = std::chrono::milliseconds{node.rejoin_max_ms};
    settings.stop_grace = std::chrono::seconds{env.cfg.timeout_s};
    d.uplink = spawn_uplink(*d.sys, std::move(settings));
    link = d.uplink;
    d.client = d.uplink;
  }
  // A head runs no jobs unless node.run_kinds names some: its workers run them.
  if (node.role != node_role::head || !node.run_kinds.empty())
    d.workers = spawn_local_workers(*d.sys, link, shared_env);
  d.hub = spawn_channel_hub(*d.sys);
  d.started = true;
  auto listen = [&](const std::string& host, int port, const char* what, const char* key) {
    try {
      return std::make_shared<link::link_listener>(*d.sys, host, static_cast<std::uint16_t>(port), credentials, what);
    } catch (const std::runtime_error& e) {
      d.stopped = true;
      d.shutdown_actors();
      throw std::runtime_error(std::string{key} + ": " + e.what());
    }
  };
  if (node.inject_port != 0) {
    d.listener = listen(node.inject_host, node.inject_port, "inject port", "node.inject_port");
    auto client = d.client;
    auto views = d.views;
    d.front_keeper = publish_front(*d.sys, d.listener, [client, views](caf::actor_system& sys, front_keeper_actor keeper) {
      auto front = spawn_front(sys, client, std::move(keeper), views);
      return published_front{caf::actor_cast<caf::actor>(front), sys.message_types(front)};
    });
    d.inject_port = d.listener->port();
  }
  if (node.role == node_role::head) {
    d.cluster_listener = listen(node.cluster_host, node.cluster_port, "cluster port", "node.cluster_port");
    worker_link_actor coord = d.coord;
    d.cluster_keeper = publish_front(*d.sys, d.cluster_listener, [coord](caf::actor_system& sys, front_keeper_actor keeper) {
      auto front = spawn_worker_front(sys, coord, std::move(keeper));
      return published_front{caf::actor_cast<caf::actor>(front), sys.message_types(front)};
    });
    d.cluster_port = d.cluster_listener->port();
  }
}

enqueue_reply runtime::enqueue(enqueue_request request) {
  return impl_->call<enqueue_reply>(impl_->client, request_timeout, enqueue_atom::value, std::move(request));
}

enqueue_reply runtime::enqueue(const std::string& kind, const std::string& args_json) {
  enqueue_request request;
  request.kind = kind;
  request.args = args_json;
  return enqueue(std::move(request));
}

std::vector<enqueue_reply> runtime::enqueue_many(std::vector<enqueue_request> requests) {
  return impl_->call<std::vector<enqueue_reply>>(impl_->client, request_timeout, enqueue_atom::value,
                                                 std::move(requests));
}

signal_status runtime::signal(job_id id, const std::string& payload_json) {
  if (auto err = json::check_object(payload_json, "signal payload"))
    throw std::invalid_argument(err->message);
  return impl_->call<signal_status>(impl_->client, request_timeout, signal_atom::value, id, payload_json);
}

cancel_status runtime::cancel(job_id id) {
  return impl_->call<cancel_status>(impl_->client, request_timeout, cancel_atom::value, id);
}

std::optional<job> runtime::find(job_id id) {
  auto r = impl_->call<job_lookup>(impl_->client, request_timeout, lookup_atom::value, id);
  if (!r.found)
    return std::nullopt;
  return std::move(r.value);
}

job_page runtime::query(const job_query& q) {
  return impl_->call<job_page>(impl_->client, request_timeout, list_atom::value, q);
}

std::vector<job> runtime::jobs(job_state state, std::uint32_t limit) {
  job_query q;
  q.by_state = true;
  q.state = state;
  q.limit = limit;
  return query(q).jobs;
}

runtime_stats runtime::stats() {
  return impl_->call<runtime_stats>(impl_->client, request_timeout, stats_atom::value);
}

bool runtime::pause(const std::string& queue) {
  return impl_->call<bool>(impl_->client, request_timeout, pause_atom::value, queue);
}

bool runtime::resume(const std::string& queue) {
  return impl_->call<bool>(impl_->client, request_timeout, resume_atom::value, queue);
}

bool runtime::retry_dead(job_id id) {
  return impl_->call<bool>(impl_->client, request_timeout, retry_atom::value, id);
}

void runtime::write_records(std::vector<record_write> writes) {
  auto error = impl_->call<std::string>(impl_->client, request_timeout, records_atom::value, std::move(writes));
  if (!error.empty())
    throw std::runtime_error("write_records: not durable: " + error);
}

std::vector<record_row> runtime::query_records(const std::string& sql,
                                               const std::vector<record_value>& params) {
  if (!impl_->started || impl_->stopped)
    throw std::logic_error("meshjobs: runtime is not running");
  if (!impl_->db)
    throw std::logic_error("query_records: a worker node has no store (its head keeps the records)");
  return impl_->db->query_records(sql, params);
}

bool runtime::drain(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (!d.started || d.stopped)
    throw std::logic_error("meshjobs: runtime is not running");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  forget_system_on_this_thread forget;
  caf::scoped_actor self{*d.sys};
  bool drained = false;
  self->request(d.client, timeout, drain_atom::value)
    .receive([&](bool ok) { drained = ok; }, [&](caf::error&) { drained = false; });
  // The coordinator pushed the events of what it drained before it answered.
  return drained && d.settle_listeners(deadline);
}

bool runtime::settle_events(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // A round trip: every change before it has had its events pushed to the buffers.
  impl_->call<job_lookup>(impl_->client, timeout, lookup_atom::value, job_id{0});
  return impl_->settle_listeners(deadline);
}

void runtime::stop() {
  auto& d = *impl_;
  if (!d.started || d.stopped)
    return;
  auto grace = std::chrono::seconds(d.env->cfg.timeout_s + 30);
  if (d.workers)
    caf::anon_send(d.workers, stop_atom::value);  // a supervisor that exits now stays down
  try {
    if (d.coord)
      d.call<bool>(d.coord, grace, stop_atom::value);
    else
      d.call<bool>(d.uplink, grace, stop_atom::value);
  } catch (const std::exception& e) {
    spdlog::error("meshjobs: graceful stop failed ({}); stopping anyway", e.what());
  }
  d.stopped = true;
  d.shutdown_actors();
}

void runtime::tick() {
  if (impl_->coord)
    caf::anon_send(impl_->coord, tick_atom::value);
}

void runtime::publish(const std::string& channel, const std::string& payload) {
  caf::anon_send(impl_->hub, publish_atom::value, channel, payload);
}

std::uint64_t runtime::subscribe(const std::string& channel,
                                 std::function<void(const std::string&, const std::string&)> fn) {
  auto& d = *impl_;
  if (!d.started || d.stopped)
    throw std::logic_error("meshjobs: runtime is not running");
  auto sub = d.sys->spawn(subscriber, channel_callback{std::move(fn)});
  caf::anon_send(d.hub, subscribe_atom::value, channel, sub);
  std::lock_guard<std::mutex> guard{d.subscriptions_mutex};
  auto id = d.next_subscription++;
  d.subscriptions.emplace(id, std::make_pair(channel, sub));
  return id;
}

void runtime::unsubscribe(std::uint64_t subscription) {
  auto& d = *impl_;
  std::lock_guard<std::mutex> guard{d.subscriptions_mutex};
  auto i = d.subscriptions.find(subscription);
  if (i == d.subscriptions.end())
    return;
  caf::anon_send(d.hub, unsub_atom::value, i->second.first, i->second.second);
  caf::anon_send_exit(i->second.second, caf::exit_reason::user_shutdown);
  d.subscriptions.erase(i);
}

const config& runtime::cfg() const { return impl_->env->cfg; }

meshjobs::clock& runtime::clock() { return *impl_->env->clk; }

std::uint16_t runtime::inject_port() const { return impl_->inject_port; }

std::uint16_t runtime::cluster_port() const { return impl_->cluster_port; }

}  // namespace meshjobs
