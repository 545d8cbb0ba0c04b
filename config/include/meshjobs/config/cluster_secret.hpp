// The cluster secret's one rule, shared by the config's `security.secret`, the
// MESHJOBS_CLUSTER_SECRET variable and the secret files, so each says the same thing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace meshjobs {

/// Short secrets can be guessed offline from one recorded plaintext handshake.
inline constexpr std::size_t min_cluster_secret_length = 16;
inline constexpr std::size_t max_cluster_secret_length = 1024;
inline constexpr const char* cluster_secret_variable = "MESHJOBS_CLUSTER_SECRET";

/// Why `secret` cannot be a cluster secret, or nullopt when it can.
std::optional<std::string> cluster_secret_problem(std::string_view secret);

}  // namespace meshjobs
