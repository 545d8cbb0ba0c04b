// How many scheduler threads a node runs when its config leaves the choice to the machine.
#pragma once

namespace meshjobs {

/// One per core less one (a core is left to the SQLite writer, the worker pool and the
/// middleman), and at least one. `cores` comes from std::thread::hardware_concurrency(),
/// which is 0 when the machine cannot tell: that too gives one thread, not 0 - 1 wrapped
/// around to four billion.
constexpr unsigned default_scheduler_threads(unsigned cores) { return cores > 2 ? cores - 1 : 1; }

}  // namespace meshjobs
