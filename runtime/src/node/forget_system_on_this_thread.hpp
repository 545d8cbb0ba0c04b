// CAF 0.17 keeps a reference to the actor system's logger in a thread-local of every thread
// that made a scoped_actor, and ~actor_system waits until all of them are gone: a thread that
// called into the runtime (a host thread, a pool thread of a blocking handler) would make
// stop() on another thread hang. Declared before the scoped_actor, this drops the reference
// once the call is over.
#pragma once

#include <caf/logger.hpp>

namespace meshjobs {

struct forget_system_on_this_thread {
  ~forget_system_on_this_thread() { caf::logger::set_current_actor_system(nullptr); }
};

}  // namespace meshjobs
