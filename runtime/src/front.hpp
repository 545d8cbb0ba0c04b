#pragma once

#include "interfaces.hpp"
#include "meshjobs/front.hpp"

namespace meshjobs {

front_actor::behavior_type front(front_actor::pointer self, coordinator_actor coordinator);

}  // namespace meshjobs
