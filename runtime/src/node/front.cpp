#include "node/front.hpp"

#include <caf/all.hpp>

#include "meshjobs/messages/json.hpp"
#include "node/guarded_front.hpp"

namespace meshjobs {
namespace {

class front_impl : public guarded_front<front_actor> {
 public:
  front_impl(caf::actor_config& cfg, client_interface coordinator, front_keeper_actor keeper,
             std::shared_ptr<const view_table> views)
      : guarded_front<front_actor>(cfg, std::move(keeper)), coordinator_(std::move(coordinator)),
        views_(std::move(views)) {}

  behavior_type make_behavior() override {
    guard(coordinator_);
    auto c = coordinator_;
    return {
      [this, c](enqueue_atom a, enqueue_request& req) { return delegate(c, a, std::move(req)); },
      [this, c](lookup_atom a, job_id id) { return delegate(c, a, id); },
      [this, c](list_atom a, job_query& q) { return delegate(c, a, std::move(q)); },
      [this, c](cancel_atom a, job_id id) { return delegate(c, a, id); },
      [this, c](stats_atom a) { return delegate(c, a); },
      [this, c](retry_atom a, job_id id) { return delegate(c, a, id); },
      [this, c](pause_atom a, std::string& queue) { return delegate(c, a, std::move(queue)); },
      [this, c](resume_atom a, std::string& queue) { return delegate(c, a, std::move(queue)); },
      [this, c](events_atom a, caf::actor client) { return delegate(c, a, std::move(client)); },
      [this, c](signal_atom a, job_id id, std::string& payload) { return delegate(c, a, id, std::move(payload)); },
      [this](lookup_atom, std::string& view, std::string& key) { return ask_view(view, key); },
    };
  }

 private:
  /// A view reads records, which may block: it runs on a detached actor (a thread of its own)
  /// that answers once and ends, and the front relays its answer.
  caf::result<std::string> ask_view(const std::string& view, const std::string& key) {
    auto found = views_ ? views_->find(view) : view_table::const_iterator{};
    if (!views_ || found == views_->end())
      return view_error("unknown_view", "no view named \"" + view + "\" on this node");
    // Arguments go through spawn: CAF 0.17 dereferences a null argument tuple for a function
    // actor spawned without any (UBSan flags it).
    auto worker = system().spawn<caf::detached>(view_worker, found->second, view, key);
    auto rp = make_response_promise<std::string>();
    request(worker, view_timeout, lookup_atom::value)
      .then([rp](std::string& json) mutable { rp.deliver(std::move(json)); },
            [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
    return rp;
  }

  static caf::behavior view_worker(caf::event_based_actor* self, view_fn fn, std::string view, std::string key) {
    return {[self, fn = std::move(fn), view = std::move(view), key = std::move(key)](lookup_atom) -> std::string {
      self->quit();
      try {
        if (auto json = fn(key))
          return *json;
        return view_error("not_found", "no " + view + " " + key);
      } catch (const std::exception& e) {
        return view_error("failed", view + " " + key + ": " + e.what());
      }
    }};
  }

  static std::string view_error(const char* kind, const std::string& detail) {
    return json::writer{}.begin_object().key("error").value(kind).key("detail").value(detail).end_object().take();
  }

  static constexpr auto view_timeout = std::chrono::seconds(30);

  client_interface coordinator_;
  std::shared_ptr<const view_table> views_;
};

}  // namespace

front_actor spawn_front(caf::actor_system& sys, client_interface coordinator, front_keeper_actor keeper,
                        std::shared_ptr<const view_table> views) {
  return sys.spawn<front_impl>(std::move(coordinator), std::move(keeper), std::move(views));
}

}  // namespace meshjobs
