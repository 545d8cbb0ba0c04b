#include "store/name_table.hpp"

#include <limits>
#include <stdexcept>

namespace meshjobs {

name_table::name_id name_table::intern(const std::string& name) {
  if (auto found = ids_.find(name); found != ids_.end())
    return found->second;
  constexpr std::size_t capacity = std::size_t{std::numeric_limits<name_id>::max()} + 1;
  if (names_.size() == capacity)
    throw std::length_error("store: more than " + std::to_string(capacity)
                            + " distinct job kinds or queue names; cannot add '" + name + "'");
  auto id = static_cast<name_id>(names_.size());
  names_.push_back(name);
  ids_.emplace(name, id);
  return id;
}

std::optional<name_table::name_id> name_table::find(const std::string& name) const {
  auto found = ids_.find(name);
  if (found == ids_.end())
    return std::nullopt;
  return found->second;
}

}  // namespace meshjobs
