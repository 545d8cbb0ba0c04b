// The cron entries of a head node and when each fires next. A slot fires once: the last slot
// fired is persisted with the job it enqueued, so a restart neither skips nor doubles a run.
// After downtime, the most recent missed slot fires once on start (missed runs coalesce).
#pragma once

#include <string>
#include <vector>

#include "meshjobs/config/cron_expression.hpp"
#include "meshjobs/config/config.hpp"

namespace meshjobs {

class cron_schedule {
 public:
  struct entry {
    cron_entry_config cfg;
    cron_expression expr;
    timestamp last_slot = 0;  ///< the last slot fired (persisted)
    timestamp next_slot = 0;
  };
  struct firing {
    std::size_t entry;
    timestamp slot;
  };

  /// Parses every entry; throws std::invalid_argument naming `schedule.<name>.cron` and why.
  explicit cron_schedule(const std::vector<cron_entry_config>& entries);

  /// Sets each entry's last slot as persisted (0: never ran: its first slot is the next one
  /// after `now`, so a fresh node does not fire at once).
  void restore(std::size_t entry, timestamp last_slot, timestamp now);

  /// The slots due at `now`, at most one per entry; marks them fired and moves on.
  std::vector<firing> due(timestamp now);
  /// The earliest next slot of any entry (0: none).
  timestamp earliest() const;

  const entry& at(std::size_t i) const { return entries_[i]; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<entry> entries_;
};

/// The latest slot of `expr` that is <= `now` and > `after`, or 0 when there is none.
timestamp latest_slot_between(const cron_expression& expr, timestamp after, timestamp now);

}  // namespace meshjobs
