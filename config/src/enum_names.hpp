// How each config enum is spelled in YAML; the loader and to_string share these tables.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include "meshjobs/config/config.hpp"

namespace meshjobs::config_detail {

template <class Enum, std::size_t N>
using name_table = std::array<std::pair<Enum, std::string_view>, N>;

inline constexpr name_table<store_backend, 2> store_backend_names{{
  {store_backend::memory, "memory"},
  {store_backend::sqlite, "sqlite"},
}};

inline constexpr name_table<store_sync, 2> store_sync_names{{
  {store_sync::normal, "normal"},
  {store_sync::full, "full"},
}};

inline constexpr name_table<node_role, 3> node_role_names{{
  {node_role::standalone, "standalone"},
  {node_role::head, "head"},
  {node_role::worker, "worker"},
}};

inline constexpr name_table<mesh_backend, 2> mesh_backend_names{{
  {mesh_backend::embedded, "embedded"},
  {mesh_backend::http, "http"},
}};

inline constexpr name_table<scheduler_policy, 2> scheduler_policy_names{{
  {scheduler_policy::stealing, "stealing"},
  {scheduler_policy::sharing, "sharing"},
}};

inline constexpr name_table<link_transport, 2> link_transport_names{{
  {link_transport::tls, "tls"},
  {link_transport::plaintext, "plaintext"},
}};

template <class Enum, std::size_t N>
constexpr std::string_view name_of(const name_table<Enum, N>& table, Enum value) {
  for (const auto& [candidate, name] : table)
    if (candidate == value)
      return name;
  return "?";
}

}  // namespace meshjobs::config_detail
