// How many CAF scheduler threads a node runs when its config leaves it to the machine.
#pragma once

namespace meshjobs {

/// One per core less one, left to the store writer, the worker pool and the middleman; at
/// least one. `cores` is std::thread::hardware_concurrency(), which is 0 when unknown.
constexpr unsigned default_scheduler_threads(unsigned cores) { return cores > 1 ? cores - 1 : 1; }

}  // namespace meshjobs
