#include "meshjobs/messages/caf_types.hpp"

#include <caf/actor_system_config.hpp>

namespace meshjobs {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::meshjobs>();
}

}  // namespace meshjobs
