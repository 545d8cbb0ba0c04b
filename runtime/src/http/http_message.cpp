#include "meshjobs/http/http_message.hpp"

#include <strings.h>

#include "meshjobs/messages/json.hpp"

namespace meshjobs::http {

std::optional<std::string> find_header(const header_list& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0)
      return value;
  return std::nullopt;
}

response response::json(unsigned status, std::string body) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

response response::error(unsigned status, std::string_view error, std::string_view detail) {
  json::writer w;
  w.begin_object().key("error").value(error).key("detail").value(detail).end_object();
  return json(status, w.take());
}

}  // namespace meshjobs::http
