#include "node/uplink.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <unordered_map>
#include <unordered_set>

#include "link/link_connector.hpp"
#include "link/socket_address.hpp"

namespace meshjobs {
namespace {

constexpr auto register_timeout = std::chrono::seconds(30);
constexpr auto stop_check_interval = std::chrono::milliseconds(50);

struct registered_worker {
  worker_registration reg;
  worker_actor handle;
  std::vector<job_outcome> kept;  ///< reported while no head was joined
};

struct uplink_state {
  uplink_settings settings;
  std::string head_address;
  worker_link_actor head;
  std::unordered_map<caf::actor_addr, registered_worker> workers;
  std::unordered_set<job_id> running;  ///< started here, no outcome reported yet
  std::chrono::milliseconds rejoin_delay{0};
  bool ever_joined = false;
  bool keeping = false;  ///< outcomes kept since the head went
  std::vector<caf::typed_response_promise<bool>> stop_waiters;
  std::chrono::steady_clock::time_point stop_deadline;
  static inline const char* name = "uplink";
};

using uplink_pointer = uplink_actor::stateful_pointer<uplink_state>;

caf::error head_unreachable(const uplink_state& st) {
  return caf::make_error(caf::sec::request_receiver_down, "no head joined at " + st.head_address);
}

/// Connects on a thread of its own (the link handshake blocks), tells the uplink and ends.
caf::behavior joiner(caf::event_based_actor* self, uplink_actor uplink, uplink_settings s,
                     std::set<std::string> expected) {
  caf::actor front;
  std::string error;
  try {
    auto r = link::connect_link(self->home_system(), s.head.host, s.head.port, s.credentials, s.join_timeout);
    if (!r.actor)
      error = "nothing is published on that port";
    else if (r.interface != expected)
      error = "the actor on that port is not a head's cluster front (is it an inject port?)";
    else
      front = caf::actor_cast<caf::actor>(r.actor);
  } catch (const std::exception& e) {
    error = e.what();
  }
  self->send(uplink, join_atom::value, std::move(front), std::move(error));
  self->quit();
  return {};
}

void start_join(uplink_pointer self) {
  auto& st = self->state;
  self->spawn<caf::detached>(joiner, caf::actor_cast<uplink_actor>(self), st.settings,
                             self->home_system().message_types<worker_link_actor>());
}

void join_later(uplink_pointer self) {
  auto& st = self->state;
  st.rejoin_delay = st.rejoin_delay.count() == 0 ? st.settings.rejoin_min
                                                 : std::min(st.rejoin_delay * 2, st.settings.rejoin_max);
  self->delayed_send(self, st.rejoin_delay, join_atom::value);
}

/// Registers `w` with the head, handing over the outcomes it kept: the head applies them
/// before it hands this worker anything, so a job whose outcome is here does not run again.
void register_with_head(uplink_pointer self, registered_worker& w,
                        std::optional<caf::typed_response_promise<std::string>> rp) {
  auto kinds = w.reg.kinds.empty() ? std::string{} : w.reg.kinds.front();
  auto reg = w.reg;
  reg.finished = std::move(w.kept);
  w.kept.clear();
  auto addr = w.handle.address();
  auto handed = reg.finished;
  self->request(self->state.head, register_timeout, register_atom::value, std::move(reg), w.handle)
    .then(
      [rp, kinds](std::string& refused) mutable {
        if (!refused.empty())
          spdlog::error("uplink: the head refused the worker of {}: {}", kinds, refused);
        if (rp)
          rp->deliver(std::move(refused));
      },
      [self, rp, kinds, addr, handed](caf::error& e) mutable {
        spdlog::warn("uplink: registering the worker of {} failed: {}", kinds, caf::to_string(e));
        // Kept for the next join, which registers it again.
        auto found = self->state.workers.find(addr);
        if (found != self->state.workers.end())
          found->second.kept.insert(found->second.kept.end(), handed.begin(), handed.end());
        if (rp)
          rp->deliver(std::string{});
      });
}

void joined(uplink_pointer self, caf::actor front) {
  auto& st = self->state;
  st.head = caf::actor_cast<worker_link_actor>(front);
  self->monitor(st.head);
  st.keeping = false;
  st.rejoin_delay = std::chrono::milliseconds{0};
  std::size_t kept = 0;
  for (auto& [addr, w] : st.workers) {
    kept += w.kept.size();
    register_with_head(self, w, std::nullopt);
  }
  spdlog::info("uplink: {} head at {} ({} workers{})", st.ever_joined ? "rejoined the" : "joined the",
               st.head_address, st.workers.size(),
               kept != 0 ? ", " + std::to_string(kept) + " outcomes kept while it was away" : std::string{});
  st.ever_joined = true;
}

void check_stopped(uplink_pointer self) {
  auto& st = self->state;
  if (st.stop_waiters.empty())
    return;
  bool kept_any = false;
  for (const auto& [addr, w] : st.workers)
    kept_any = kept_any || !w.kept.empty();
  const bool done = st.running.empty() && !kept_any;
  if (!done && std::chrono::steady_clock::now() < st.stop_deadline) {
    self->delayed_send(self, stop_check_interval, tick_atom::value);
    return;
  }
  for (auto& rp : st.stop_waiters)
    rp.deliver(done);
  st.stop_waiters.clear();
}

template <class Result, class... Ts>
caf::result<Result> relay(uplink_pointer self, Ts&&... xs) {
  if (!self->state.head)
    return head_unreachable(self->state);
  return self->delegate(self->state.head, std::forward<Ts>(xs)...);
}

uplink_actor::behavior_type uplink(uplink_pointer self, uplink_settings settings) {
  auto& st = self->state;
  st.head_address = link::address_text(settings.head.host, settings.head.port);
  st.settings = std::move(settings);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.head && msg.source == st.head.address()) {
      st.head = nullptr;
      spdlog::warn("uplink: the head at {} is gone ({}); the {} jobs running here go on, their outcomes are "
                   "kept, and this node joins again",
                   st.head_address, caf::to_string(msg.reason), st.running.size());
      join_later(self);
      return;
    }
    st.workers.erase(msg.source);  // a supervisor that died; its replacement registers afresh
  });
  start_join(self);
  return {
    // the head's answers to the join
    [self](join_atom, caf::actor& front, std::string& error) {
      if (front) {
        joined(self, std::move(front));
        return;
      }
      spdlog::warn("uplink: cannot join the head at {}: {}", self->state.head_address, error);
      join_later(self);
    },
    [self](join_atom) {
      if (!self->state.head && self->state.stop_waiters.empty())
        start_join(self);
    },
    [self](tick_atom) { check_stopped(self); },
    [self](stop_atom) -> caf::result<bool> {
      auto& st = self->state;
      for (const auto& [addr, w] : st.workers)
        self->send(w.handle, stop_atom::value);
      auto rp = self->make_response_promise<bool>();
      st.stop_waiters.push_back(rp);
      st.stop_deadline = std::chrono::steady_clock::now() + st.settings.stop_grace;
      check_stopped(self);
      return rp;
    },
    // worker_interface: from this node's supervisors
    [self](register_atom, worker_registration& reg, worker_actor& handle) -> caf::result<std::string> {
      auto& st = self->state;
      self->monitor(handle);
      auto& w = st.workers[handle.address()];
      w.reg = std::move(reg);
      w.handle = std::move(handle);
      if (!st.head)
        return std::string{};  // registered with the head when this node joins
      auto rp = self->make_response_promise<std::string>();
      register_with_head(self, w, rp);
      return rp;
    },
    [self](demand_atom a, std::int32_t credit) {
      if (self->state.head)
        self->delegate(self->state.head, a, credit);
    },
    [self](started_atom a, std::vector<job_id>& ids) {
      auto& st = self->state;
      st.running.insert(ids.begin(), ids.end());
      if (st.head)
        self->delegate(st.head, a, std::move(ids));
    },
    [self](progress_atom a, std::vector<job_progress>& reports) {
      if (self->state.head)
        self->delegate(self->state.head, a, std::move(reports));
    },
    [self](outcome_atom a, std::vector<job_outcome>& outcomes) {
      auto& st = self->state;
      for (const auto& o : outcomes)
        st.running.erase(o.id);
      if (st.head) {
        self->delegate(st.head, a, std::move(outcomes));
      } else {
        auto w = st.workers.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
        if (w != st.workers.end()) {
          if (!st.keeping)
            spdlog::info("uplink: keeping the outcomes of jobs that end here until the head is back");
          st.keeping = true;
          for (auto& o : outcomes)
            w->second.kept.push_back(std::move(o));
        }
      }
      check_stopped(self);
    },
    [self](backoff_atom a, timestamp until) {
      if (self->state.head)
        self->delegate(self->state.head, a, until);
    },
    // client_interface: what the jobs running here ask the head
    [self](enqueue_atom a, enqueue_request& req) { return relay<enqueue_reply>(self, a, std::move(req)); },
    [self](enqueue_atom a, std::vector<enqueue_request>& reqs) {
      return relay<std::vector<enqueue_reply>>(self, a, std::move(reqs));
    },
    [self](lookup_atom a, job_id id) { return relay<job_lookup>(self, a, id); },
    [self](list_atom a, job_query& q) { return relay<job_page>(self, a, std::move(q)); },
    [self](cancel_atom a, job_id id) { return relay<cancel_status>(self, a, id); },
    [self](stats_atom a) { return relay<runtime_stats>(self, a); },
    [self](pause_atom a, std::string& queue) { return relay<bool>(self, a, std::move(queue)); },
    [self](resume_atom a, std::string& queue) { return relay<bool>(self, a, std::move(queue)); },
    [self](retry_atom a, job_id id) { return relay<bool>(self, a, id); },
    [self](signal_atom a, job_id id, std::string& payload) {
      return relay<signal_status>(self, a, id, std::move(payload));
    },
    [self](watch_atom a, std::vector<job_id>& ids, watcher_actor& w, std::uint64_t token) {
      auto& st = self->state;
      if (st.head) {
        self->delegate(st.head, a, std::move(ids), std::move(w), token);
        return;
      }
      // No head to ask: each watcher hears its jobs as not found, and the job awaiting them decides.
      for (auto id : ids)
        self->send(w, watched_atom::value, token, job_end{id, false, job_state::enqueued, {}});
    },
    [self](drain_atom a) { return relay<bool>(self, a); },
    [self](records_atom a, std::vector<record_write>& writes) {
      return relay<std::string>(self, a, std::move(writes));
    },
    [self](events_atom a, caf::actor client) { return relay<bool>(self, a, std::move(client)); },
  };
}

}  // namespace

uplink_actor spawn_uplink(caf::actor_system& sys, uplink_settings settings) {
  return sys.spawn(uplink, std::move(settings));
}

}  // namespace meshjobs
