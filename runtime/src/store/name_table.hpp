// Interned names (job kinds, queue names): a job record keeps a 16-bit id instead of a string,
// since a million queued jobs share a handful of kinds and queues.
#pragma once

#include <optional>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace meshjobs {

class name_table {
 public:
  using name_id = std::uint16_t;

  /// The id of `name`, interned on first sight. Throws std::length_error past 65536 names.
  name_id intern(const std::string& name);
  const std::string& name(name_id id) const { return names_[id]; }
  /// The id of `name` if it was interned; nothing otherwise (nothing is added).
  std::optional<name_id> find(const std::string& name) const;

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, name_id> ids_;
};

}  // namespace meshjobs
