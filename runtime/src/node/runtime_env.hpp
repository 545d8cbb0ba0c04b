// What every actor of one runtime shares, fixed once the runtime starts.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "meshjobs/clock.hpp"
#include "meshjobs/config/config.hpp"
#include "meshjobs/job_type.hpp"
#include "meshjobs/messages/job_spec.hpp"
#include "meshjobs/records.hpp"

namespace meshjobs {

class event_bus;
class worker_pool;

struct runtime_env {
  config cfg;
  std::shared_ptr<meshjobs::clock> clk;
  /// The job types this node runs (their handlers), by kind.
  std::vector<std::shared_ptr<const job_type>> types;
  std::unordered_map<std::string, std::uint32_t> type_index;
  /// What the coordinator knows of each kind it admits (index = the kind's lane in each queue).
  std::vector<job_spec> specs;
  std::unordered_map<std::string, std::uint32_t> spec_index;
  std::shared_ptr<event_bus> events;  ///< what the coordinator publishes, to its subscribers
  std::vector<record_schema> record_schemas;
  std::shared_ptr<worker_pool> pool;  ///< for blocking handlers
  std::chrono::milliseconds cancel_grace{5000};

  timestamp now() const { return clk->now(); }
  const job_type* find_type(const std::string& kind) const {
    auto i = type_index.find(kind);
    return i == type_index.end() ? nullptr : types[i->second].get();
  }
};

}  // namespace meshjobs
