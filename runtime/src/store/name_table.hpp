// Interned names (job kinds, queue names): a job record keeps a 16-bit id instead of a string,
// since a million queued jobs share a handful of kinds and queues.
#pragma once

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

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, name_id> ids_;
};

}  // namespace meshjobs
