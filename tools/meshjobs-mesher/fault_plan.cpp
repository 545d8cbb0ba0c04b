#include "fault_plan.hpp"

#include <stdexcept>
#include <variant>

#include "meshjobs/messages/json.hpp"

namespace meshjobs::mesher_service {

std::set<std::string> parse_endpoints(std::string_view list, std::string_view option,
                                      std::string_view also) {
  std::set<std::string> out;
  std::size_t at = 0;
  while (at <= list.size() && !list.empty()) {
    auto end = list.find(',', at);
    if (end == std::string_view::npos)
      end = list.size();
    auto name = list.substr(at, end - at);
    bool known = !also.empty() && name == also;
    for (auto e : endpoint_names)
      known = known || name == e;
    if (!known)
      throw std::invalid_argument(std::string{option} + ": unknown endpoint '" + std::string{name} +
                                  "' (health, generate, status, result, mesh" +
                                  (also.empty() ? "" : ", " + std::string{also}) + ")");
    out.emplace(name);
    at = end + 1;
  }
  return out;
}

std::variant<fault_plan, std::string> apply_faults(const fault_plan& base, std::string_view faults_json) {
  auto parsed = json::object::parse(faults_json, "parameters.faults");
  if (auto* e = std::get_if<json::parse_error>(&parsed))
    return e->message;
  const auto& faults = std::get<json::object>(parsed);
  fault_plan plan = base;
  try {
    for (const auto& key : faults.keys()) {
      const std::string where = "parameters.faults." + key;
      if (key == "latency_ms") {
        auto v = faults.get_int(key);
        if (!v || *v < 0 || *v > 600000)
          return where + ": a whole number of milliseconds in [0, 600000]";
        plan.latency_ms = static_cast<std::uint32_t>(*v);
      } else if (key == "failure_rate") {
        auto v = faults.get_double(key);
        if (!v || *v < 0 || *v > 1)
          return where + ": a number in [0, 1]";
        plan.failure_rate = *v;
      } else if (key == "hang" || key == "malformed" || key == "error_500") {
        auto v = faults.get_string(key);
        if (!v)
          return where + ": a comma-separated list of endpoints, as a string";
        auto endpoints = parse_endpoints(*v, where, key == "hang" ? "work" : "");
        (key == "hang" ? plan.hang : key == "malformed" ? plan.malformed : plan.error_500) = endpoints;
      } else if (key == "callback") {
        auto v = faults.get_string(key);
        if (!v || (*v != "normal" && *v != "twice" && *v != "never"))
          return where + ": normal, twice or never";
        plan.callback = *v;
      } else {
        return where + ": unknown fault (latency_ms, failure_rate, hang, malformed, error_500, callback)";
      }
    }
  } catch (const std::invalid_argument& e) {
    return std::string{e.what()};
  }
  return plan;
}

std::string fault_help() {
  return R"(Fault injection, for every request by these flags, or per generation by a "faults"
object in the generate request's "parameters" (same names; its members replace the flags' values
for that job's generate, status, result and mesh answers and its callbacks):
  latency_ms    N      every answer waits N ms first
  failure_rate  F      this fraction of generations ends with status "failed" (0..1)
  hang          LIST   these endpoints never answer; "work": the job never finishes
  malformed     LIST   these endpoints answer 200 with broken JSON
  error_500     LIST   these endpoints answer 500
  callback      MODE   normal | twice (the final callback is sent twice) | never
LIST is comma-separated among health, generate, status, result, mesh.
Example: {"image_url":"/tmp/a.png","job_id":"j1","parameters":{"detail_factor":0.02,
          "faults":{"hang":"status","callback":"never"}}}
)";
}

}  // namespace meshjobs::mesher_service
