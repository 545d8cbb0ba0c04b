// The plain request and response an HTTP handler sees, shared by the server and the client.
// No Beast here: whatever includes this stays light.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshjobs::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// The value of header `name` (case-insensitive), if present.
std::optional<std::string> find_header(const header_list& headers, std::string_view name);

struct request {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< as sent: path and query
  std::string path;    ///< the target without its query
  std::string query;   ///< after '?', empty if none
  std::map<std::string, std::string> params;  ///< the route's {captures}, by name
  header_list headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  header_list headers;  ///< extra headers besides Content-Type and Content-Length
  std::string body;

  static response json(unsigned status, std::string body);
  /// `{"error":"<error>","detail":"<detail>"}`: every error of the server has this shape.
  static response error(unsigned status, std::string_view error, std::string_view detail);
};

}  // namespace meshjobs::http
