#include "front_connection.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <set>

#include "link/link_connector.hpp"
#include "meshjobs/front.hpp"
#include "meshjobs/messages/caf_types.hpp"

namespace meshjobs::inject {
namespace {

class client_config : public caf::actor_system_config {
 public:
  client_config() {
    register_message_types(*this);
    load<caf::io::middleman>();
    // A client waits on one answer at a time: threads that block beat threads that poll.
    set("scheduler.policy", caf::atom("sharing"));
    set("scheduler.max-threads", 1);
    // Heartbeats let a node that watches its links see this client alive. No connection
    // timeout here: CAF 0.17 starts a connection's silence at the epoch, so its first check
    // drops a handshake in progress after one heartbeat (about 1 s). --timeout bounds each wait.
    // A node drops a link silent for node.connection_timeout_ms (1.5 s by default): a beat
    // every 250 ms keeps an idle client (an events stream) well inside it.
    set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(250)});
  }
};

std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0)
    return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

}  // namespace

struct front_connection::impl {
  std::chrono::milliseconds timeout;
  link::link_credentials credentials;
  client_config cfg;
  caf::actor_system sys;
  front_actor front;
  std::string node;  // HOST:PORT, for messages

  impl(std::chrono::milliseconds t, link::link_credentials c) : timeout(t), credentials(std::move(c)), sys(cfg) {}

  transport_error lost(const caf::down_msg& down, const char* what) const {
    return {node + ": the connection was lost (" + what + "): " + sys.render(down.reason)};
  }

  transport_error describe(const caf::error& e, const char* what) const {
    if (e == caf::sec::request_receiver_down)
      return {node + ": the connection was lost (" + what + "): " + sys.render(e)};
    return {node + ": " + what + " failed: " + sys.render(e)};
  }

  /// Sends one message to the front and waits for its answer, the front's end (the node died
  /// or the link broke: said at once) or the timeout. The message goes as a plain send: a
  /// blocking request would wait for its response only and miss the front's down message.
  template <class T, class... Ts>
  answer<T> ask(const char* what, Ts&&... xs) {
    caf::scoped_actor self{sys};
    self->monitor(front);
    answer<T> out{transport_error{}};
    self->send(front, std::forward<Ts>(xs)...);
    self->receive([&](T& x) { out = std::move(x); },
                  [&](caf::down_msg& down) { out = lost(down, what); },
                  [&](caf::error& e) { out = describe(e, what); },
                  caf::after(timeout) >> [&] {
                    out = transport_error{node + ": no answer within " + duration_text(timeout) + " (" + what + ")"};
                  });
    return out;
  }
};

front_connection::front_connection(std::chrono::milliseconds timeout, link::link_credentials credentials)
    : impl_(std::make_unique<impl>(timeout, std::move(credentials))) {}

front_connection::~front_connection() = default;

std::optional<transport_error> front_connection::connect(const node_address& node) {
  auto& d = *impl_;
  d.node = node.to_string();
  link::remote_actor remote;
  try {
    remote = link::connect_link(d.sys, node.host, node.port, d.credentials, d.timeout);
  } catch (const link::link_timeout&) {
    return transport_error{d.node + ": unreachable: no handshake within " + duration_text(d.timeout)};
  } catch (const std::runtime_error& e) {
    return transport_error{d.node + ": unreachable: " + e.what()};
  }
  if (!remote.actor)
    return transport_error{d.node + ": unreachable: nothing is published on this port"};
  if (!d.sys.assignable<front_actor>(remote.interface))
    return transport_error{d.node + ": the actor published there is not a meshjobs front "
                                    "actor (another program, or another meshjobs version)"};
  d.front = caf::actor_cast<front_actor>(std::move(remote.actor));
  return std::nullopt;
}

answer<enqueue_reply> front_connection::enqueue(const enqueue_request& req) {
  return impl_->ask<enqueue_reply>("enqueue", enqueue_atom::value, req);
}

answer<runtime_stats> front_connection::stats() { return impl_->ask<runtime_stats>("stats", stats_atom::value); }

answer<job_page> front_connection::list(const job_query& query) {
  return impl_->ask<job_page>("list", list_atom::value, query);
}

answer<job_lookup> front_connection::lookup(job_id id) {
  return impl_->ask<job_lookup>("get", lookup_atom::value, id);
}

answer<std::string> front_connection::view(const std::string& name, const std::string& key) {
  return impl_->ask<std::string>(name.c_str(), lookup_atom::value, name, key);
}

answer<cancel_status> front_connection::cancel(job_id id) {
  return impl_->ask<cancel_status>("cancel", cancel_atom::value, id);
}

answer<bool> front_connection::retry_dead(job_id id) {
  return impl_->ask<bool>("retry", retry_atom::value, id);
}

answer<bool> front_connection::pause(const std::string& queue, bool paused) {
  if (paused)
    return impl_->ask<bool>("pause", pause_atom::value, queue);
  return impl_->ask<bool>("resume", resume_atom::value, queue);
}

namespace {

using batch_sink = std::function<void(const std::vector<job_event>&)>;

using lost_sink = std::function<void(const std::string&)>;

caf::behavior event_printer(caf::event_based_actor* self, front_actor front, batch_sink on_batch,
                            lost_sink on_lost, std::string node) {
  self->monitor(front);
  self->set_down_handler([self, on_lost, node](caf::down_msg& msg) {
    on_lost(node + ": the connection was lost: " + self->system().render(msg.reason));
    self->quit();
  });
  return {
    [on_batch](events_atom, const std::vector<job_event>& batch) {
      on_batch(batch);
      return true;  // the node sends the next batch once this one is acknowledged
    },
  };
}

}  // namespace

std::optional<transport_error> front_connection::follow_events(const batch_sink& on_batch,
                                                               const lost_sink& on_lost,
                                                               const std::function<void()>& until_stopped) {
  auto& d = *impl_;
  auto printer = d.sys.spawn(event_printer, d.front, on_batch, on_lost, d.node);
  auto subscribed = d.ask<bool>("events", events_atom::value, printer);
  if (auto* err = std::get_if<transport_error>(&subscribed)) {
    caf::anon_send_exit(printer, caf::exit_reason::kill);
    return *err;
  }
  until_stopped();
  caf::anon_send_exit(printer, caf::exit_reason::kill);
  return std::nullopt;
}

answer<signal_status> front_connection::signal(job_id id, const std::string& payload) {
  return impl_->ask<signal_status>("signal", signal_atom::value, id, payload);
}

}  // namespace meshjobs::inject
