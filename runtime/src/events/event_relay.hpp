// A subscriber that is an actor, perhaps on another node (meshjobs-inject events): the relay
// takes its events from its buffer and sends them in batches, one batch in flight at a time,
// each acknowledged by the client. So the buffer, bounded, is the only place events wait; a
// client too slow for it loses events (counted). The relay monitors the client: its death, a
// failed send or the coordinator's end unsubscribes it.
#pragma once

#include <caf/fwd.hpp>

#include <memory>

#include "events/event_bus.hpp"

namespace meshjobs {

/// How many events wait for one relay's client at most.
inline constexpr std::size_t relay_buffer = 65536;

/// Spawns a relay that streams events to `client` until it or `self` (the coordinator) ends.
void spawn_event_relay(caf::local_actor* self, caf::actor client, std::shared_ptr<event_bus> bus);

}  // namespace meshjobs
