#include "events/event_relay.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <mutex>

#include "meshjobs/messages/atoms.hpp"
#include "meshjobs/messages/caf_types.hpp"

namespace meshjobs {
namespace {

constexpr std::size_t batch_size = 512;
constexpr auto ack_timeout = std::chrono::seconds(30);

/// The strong reference that keeps a relay alive (nothing else holds one): the bus's wake-up
/// call holds it, and the relay drops it when it ends, so no cycle outlives it.
struct relay_anchor {
  std::mutex mutex;
  caf::actor relay;

  void wake() {
    caf::actor to;
    {
      std::lock_guard<std::mutex> guard{mutex};
      to = relay;
    }
    if (to)
      caf::anon_send(to, events_atom::value);
  }
  void drop() {
    std::lock_guard<std::mutex> guard{mutex};
    relay = nullptr;
  }
};

struct relay_state {
  caf::actor client;
  std::shared_ptr<event_subscription> subscription;
  bool in_flight = false;
};

void send_next(caf::stateful_actor<relay_state>* self) {
  auto& st = self->state;
  std::vector<job_event> batch;
  if (st.in_flight || !st.subscription->take(batch, batch_size))
    return;
  st.in_flight = true;
  self->request(st.client, ack_timeout, events_atom::value, std::move(batch))
    .then(
      [self](bool) {
        self->state.in_flight = false;
        send_next(self);
      },
      [self](caf::error& e) {
        spdlog::info("event subscriber {} gone: {}", self->state.subscription->stats().name,
                     self->system().render(e));
        self->quit();
      });
}

caf::behavior relay(caf::stateful_actor<relay_state>* self, caf::actor client,
                    std::shared_ptr<event_bus> bus, caf::actor_addr coordinator) {
  auto name = "relay to " + to_string(client.node()) + "/" + std::to_string(client.id());
  auto anchor = std::make_shared<relay_anchor>();
  anchor->relay = caf::actor_cast<caf::actor>(self);
  // The bus calls this on the coordinator's thread: a message, never more.
  self->state.subscription = bus->subscribe(name, all_events, relay_buffer, [anchor] { anchor->wake(); });
  self->state.client = client;
  self->attach_functor([bus, anchor, sub = self->state.subscription] {
    bus->unsubscribe(sub);
    anchor->drop();
  });
  // Not linked: a relay's end must not end the coordinator.
  self->monitor(client);
  self->monitor(coordinator);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  spdlog::info("event subscriber {} attached", name);
  return {
    [self](events_atom) { send_next(self); },
  };
}

}  // namespace

void spawn_event_relay(caf::local_actor* self, caf::actor client, std::shared_ptr<event_bus> bus) {
  self->spawn(relay, std::move(client), std::move(bus), self->address());
}

}  // namespace meshjobs
