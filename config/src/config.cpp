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

}  // namespace meshjobs
