#include "front_connection.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <set>

#include "meshjobs/front.hpp"
#include "meshjobs/messages/caf_types.hpp"

namespace meshjobs::inject {
namespace {

class client_config : public caf::actor_system_config {
 public:
  explicit client_config(std::chrono::milliseconds timeout) {
    register_message_types(*this);
    load<caf::io::middleman>();
    // A client waits on one answer at a time: threads that block beat threads that poll.
    set("scheduler.policy", caf::atom("sharing"));
    set("scheduler.max-threads", 1);
    // Heartbeats let a node that watches its links see this client alive; a link that stays
    // silent for the whole request budget is given up rather than waited on.
    set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(1)});
    set("middleman.connection-timeout", caf::timespan{timeout});
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
  client_config cfg;
  caf::actor_system sys;
  front_actor front;
  std::string node;  // HOST:PORT, for messages

  explicit impl(std::chrono::milliseconds t) : timeout(t), cfg(t), sys(cfg) {}

  transport_error describe(const caf::error& e, const char* what) const {
    if (e == caf::sec::request_timeout)
      return {node + ": no answer within " + duration_text(timeout) + " (" + what + ")"};
    if (e == caf::sec::request_receiver_down)
      return {node + ": the connection was lost (" + what + "): " + sys.render(e)};
    return {node + ": " + what + " failed: " + sys.render(e)};
  }

  template <class T, class... Ts>
  answer<T> ask(const char* what, Ts&&... xs) {
    caf::scoped_actor self{sys};
    answer<T> out{transport_error{}};
    self->request(front, timeout, std::forward<Ts>(xs)...)
      .receive([&](T& x) { out = std::move(x); }, [&](caf::error& e) { out = describe(e, what); });
    return out;
  }
};

front_connection::front_connection(std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>(timeout)) {}

front_connection::~front_connection() = default;

std::optional<transport_error> front_connection::connect(const node_address& node) {
  auto& d = *impl_;
  d.node = node.to_string();
  caf::scoped_actor self{d.sys};
  std::optional<transport_error> failure;
  // A request to the middleman rather than remote_actor(), which waits without a bound.
  self->request(d.sys.middleman().actor_handle(), d.timeout, caf::connect_atom::value, node.host, node.port)
    .receive(
      [&](caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>& ifs) {
        if (!ptr)
          failure = transport_error{d.node + ": unreachable: nothing is published on this port"};
        else if (!d.sys.assignable<front_actor>(ifs))
          failure = transport_error{d.node + ": the actor published there is not a meshjobs front "
                                             "actor (another program, or another meshjobs version)"};
        else
          d.front = caf::actor_cast<front_actor>(std::move(ptr));
      },
      [&](caf::error& e) {
        if (e == caf::sec::request_timeout)
          failure = transport_error{d.node + ": unreachable: no handshake within " +
                                      duration_text(d.timeout),
                                    true};
        else
          failure = transport_error{d.node + ": unreachable: " + d.sys.render(e)};
      });
  return failure;
}

answer<enqueue_reply> front_connection::enqueue(const enqueue_request& req) {
  return impl_->ask<enqueue_reply>("enqueue", enqueue_atom::value, req);
}

answer<runtime_stats> front_connection::stats() { return impl_->ask<runtime_stats>("stats", stats_atom::value); }

answer<std::vector<job>> front_connection::list(job_state state, std::uint32_t limit) {
  return impl_->ask<std::vector<job>>("jobs", list_atom::value, state, limit);
}

answer<job_lookup> front_connection::lookup(job_id id) {
  return impl_->ask<job_lookup>("get", lookup_atom::value, id);
}

answer<cancel_status> front_connection::cancel(job_id id) {
  return impl_->ask<cancel_status>("cancel", cancel_atom::value, id);
}

answer<signal_status> front_connection::signal(job_id id, const std::string& payload) {
  return impl_->ask<signal_status>("signal", signal_atom::value, id, payload);
}

}  // namespace meshjobs::inject
