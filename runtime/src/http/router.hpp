// Which handler a method and a path go to: routes are patterns of segments, literal or
// `{name}` captures. A path no route matches is 404; a path some route matches with another
// method is 405 (and the methods it allows are named).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "meshjobs/http/http_server.hpp"

namespace meshjobs::http {

class router {
 public:
  struct route_entry {
    std::string method;
    std::vector<std::string> segments;  ///< "{name}" for a capture
    handler fn;
    route_options options;
  };

  struct match {
    enum class outcome { found, no_path, wrong_method } result = outcome::no_path;
    const route_entry* route = nullptr;          ///< when found
    std::map<std::string, std::string> params;   ///< when found
    std::string allowed;                         ///< when wrong_method: "GET, POST"
  };

  /// Throws std::invalid_argument naming the pattern when it is not "/segment/{capture}/...".
  void add(std::string method, std::string_view pattern, handler fn, route_options options);
  match find(std::string_view method, std::string_view path) const;

 private:
  std::vector<route_entry> routes_;
};

}  // namespace meshjobs::http
