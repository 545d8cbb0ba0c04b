#include "meshjobs/config/config.hpp"

#include "enum_names.hpp"

namespace meshjobs {

std::string_view to_string(store_backend b) {
  return config_detail::name_of(config_detail::store_backend_names, b);
}

std::string_view to_string(node_role r) {
  return config_detail::name_of(config_detail::node_role_names, r);
}

std::string_view to_string(link_transport t) {
  return config_detail::name_of(config_detail::link_transport_names, t);
}

std::optional<host_port> join_address(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return std::nullopt;
  host_port out;
  out.host = text.substr(0, colon);
  if (out.host.front() == '[') {
    if (out.host.size() < 3 || out.host.back() != ']')
      return std::nullopt;
    out.host = out.host.substr(1, out.host.size() - 2);
  } else if (out.host.find(':') != std::string::npos) {
    return std::nullopt;  // an IPv6 address needs its brackets
  }
  long port = 0;
  for (auto i = colon + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || port > 65535)
      return std::nullopt;
    port = port * 10 + (text[i] - '0');
  }
  if (port < 1 || port > 65535)
    return std::nullopt;
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

}  // namespace meshjobs
