#include "events/channel_hub.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace meshjobs {

channel_hub_actor::behavior_type channel_hub(channel_hub_actor::stateful_pointer<channel_hub_state> self) {
  return {
    [self](publish_atom a, const std::string& channel, const std::string& payload) {
      auto i = self->state.subscribers.find(channel);
      if (i == self->state.subscribers.end())
        return;
      for (const auto& sub : i->second)
        caf::anon_send(sub, a, channel, payload);
    },
    [self](subscribe_atom, const std::string& channel, caf::actor& sub) {
      self->state.subscribers[channel].push_back(std::move(sub));
    },
    [self](unsub_atom, const std::string& channel, const caf::actor& sub) {
      auto i = self->state.subscribers.find(channel);
      if (i == self->state.subscribers.end())
        return;
      auto& subs = i->second;
      subs.erase(std::remove(subs.begin(), subs.end(), sub), subs.end());
      if (subs.empty())
        self->state.subscribers.erase(i);
    },
  };
}

}  // namespace meshjobs
