// The `observer` interface on the event stream: turns each event back into the observer call
// it stands for (enqueued, started, finished, type paused), for observers written before the
// stream existed. The job an observer sees carries what the event carries (no args).
#pragma once

#include <memory>

#include "events/event_listener.hpp"
#include "meshjobs/observer.hpp"

namespace meshjobs {

event_listener::callback observer_callback(std::shared_ptr<observer> o);

}  // namespace meshjobs
