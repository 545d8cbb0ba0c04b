// The faults meshjobs-mesher injects, so that tests and users can watch a client cope with a
// bad mesh service. Set for every request by command-line flags, and per generation by a
// `faults` object in the request's `parameters` (its members replace the flags' values for
// that job: its generate, status, result and mesh answers and its callbacks).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

namespace meshjobs::mesher_service {

/// The endpoints a fault can target.
inline constexpr std::string_view endpoint_names[] = {"health", "generate", "status", "result", "mesh"};

struct fault_plan {
  std::uint32_t latency_ms = 0;  ///< every answer waits this long first
  double failure_rate = 0;       ///< this fraction of generations ends `failed`
  std::set<std::string> hang;    ///< endpoints never answered; "work": never finishes
  std::set<std::string> malformed;  ///< endpoints answering 200 with broken JSON
  std::set<std::string> error_500;  ///< endpoints answering 500
  std::string callback = "normal";  ///< normal | twice (the last one) | never

  bool hangs(std::string_view endpoint) const { return hang.count(std::string{endpoint}) > 0; }
  bool malforms(std::string_view endpoint) const { return malformed.count(std::string{endpoint}) > 0; }
  bool fails_with_500(std::string_view endpoint) const { return error_500.count(std::string{endpoint}) > 0; }
};

/// "status,result" into a set, each name checked; throws std::invalid_argument naming the bad
/// one. `also` admits one more name ("work" for hang).
std::set<std::string> parse_endpoints(std::string_view list, std::string_view option,
                                      std::string_view also = {});

/// `base` with the members of the JSON object `faults_json` applied; an error message naming
/// the member and the reason when one is wrong.
std::variant<fault_plan, std::string> apply_faults(const fault_plan& base, std::string_view faults_json);

/// The --help text describing both ways to inject.
std::string fault_help();

}  // namespace meshjobs::mesher_service
