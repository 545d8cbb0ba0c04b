// Publish/subscribe by channel name (`mesh:<id>`, `batch_progress_<id>`...): the hub forwards
// each message to the actors subscribed to its channel.
#pragma once

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>
#include <unordered_map>
#include <vector>

#include "meshjobs/messages/atoms.hpp"

namespace meshjobs {

using channel_hub_actor = caf::typed_actor<
  caf::reacts_to<publish_atom, std::string, std::string>,
  caf::reacts_to<subscribe_atom, std::string, caf::actor>,
  caf::reacts_to<unsub_atom, std::string, caf::actor>>;

struct channel_hub_state {
  std::unordered_map<std::string, std::vector<caf::actor>> subscribers;
};

channel_hub_actor::behavior_type channel_hub(channel_hub_actor::stateful_pointer<channel_hub_state> self);

}  // namespace meshjobs
