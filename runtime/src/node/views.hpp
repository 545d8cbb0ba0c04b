// The read-only views a node serves through its front actor (runtime::register_view): a name
// to a function of a key that returns JSON, or nothing when there is nothing by that key.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace meshjobs {

using view_fn = std::function<std::optional<std::string>(const std::string& key)>;
using view_table = std::map<std::string, view_fn>;

}  // namespace meshjobs
