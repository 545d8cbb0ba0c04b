#include "supervision/local_workers.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <unordered_map>

#include "supervision/supervisor.hpp"

namespace meshjobs {
namespace {

struct local_workers_state {
  worker_link_actor coordinator;
  std::shared_ptr<const runtime_env> env;
  std::unordered_map<caf::actor_addr, std::shared_ptr<const job_type>> supervisors;
  bool stopping = false;
};

using workers_pointer = local_workers_actor::stateful_pointer<local_workers_state>;

void spawn_supervisor(workers_pointer self, const std::shared_ptr<const job_type>& type) {
  auto& st = self->state;
  auto sup = self->spawn<caf::linked>(supervisor, worker_interface{st.coordinator},
                                      client_interface{st.coordinator}, type, st.env);
  st.supervisors.emplace(sup.address(), type);
}

local_workers_actor::behavior_type local_workers(workers_pointer self, worker_link_actor coordinator,
                                                 std::shared_ptr<const runtime_env> env) {
  self->state.coordinator = coordinator;
  self->state.env = env;
  self->link_to(coordinator);
  for (const auto& type : env->types)
    if (runs_kind(env->cfg.node.run_kinds, type->kind))
      spawn_supervisor(self, type);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    auto found = st.supervisors.find(msg.source);
    if (found == st.supervisors.end()) {
      self->quit(msg.reason);  // the coordinator went: the supervisors go with this actor
      return;
    }
    auto type = found->second;
    st.supervisors.erase(found);
    if (st.stopping || msg.reason == caf::exit_reason::user_shutdown)
      return;
    spdlog::error("supervisor of {} died ({}); starting a new one", type->kind,
                  caf::to_string(msg.reason));
    spawn_supervisor(self, type);
  });
  return {
    [self](stop_atom) { self->state.stopping = true; },
  };
}

}  // namespace

local_workers_actor spawn_local_workers(caf::actor_system& sys, worker_link_actor coordinator,
                                        std::shared_ptr<const runtime_env> env) {
  return sys.spawn(local_workers, std::move(coordinator), std::move(env));
}

bool runs_kind(const std::string& pattern_list, const std::string& kind) {
  if (pattern_list.empty())
    return true;
  std::size_t start = 0;
  while (start <= pattern_list.size()) {
    auto end = pattern_list.find(',', start);
    if (end == std::string::npos)
      end = pattern_list.size();
    auto pattern = pattern_list.substr(start, end - start);
    while (!pattern.empty() && pattern.front() == ' ')
      pattern.erase(pattern.begin());
    while (!pattern.empty() && pattern.back() == ' ')
      pattern.pop_back();
    if (!pattern.empty() && pattern.back() == '*') {
      if (kind.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0)
        return true;
    } else if (pattern == kind) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace meshjobs
