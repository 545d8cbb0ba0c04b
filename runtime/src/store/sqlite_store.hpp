// The store on a SQLite file (sqlite_journal), with what tests read of the file's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/sqlite_journal.hpp"
#include "store/store.hpp"

namespace meshjobs {

class sqlite_store final : public store {
 public:
  /// Opens or creates `cfg.path` and loads every job as stored. Throws std::runtime_error
  /// naming the path and the reason.
  explicit sqlite_store(const store_config& cfg)
    : store(std::make_unique<sqlite_journal>(cfg), cfg) {}

  /// Transactions committed so far: tests prove with it that commits are grouped.
  std::uint64_t transactions() { return file().transactions(); }
  /// A pragma's value on the store's own connection; waits for the writer to go idle.
  std::optional<std::string> pragma(const std::string& name) { return file().pragma(name); }

 private:
  sqlite_journal& file() { return static_cast<sqlite_journal&>(journal()); }
};

}  // namespace meshjobs
