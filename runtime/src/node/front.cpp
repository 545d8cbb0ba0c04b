#include "node/front.hpp"

#include <caf/all.hpp>

namespace meshjobs {
namespace {

class front_impl : public front_actor::base {
 public:
  front_impl(caf::actor_config& cfg, client_interface coordinator, front_keeper_actor keeper)
      : front_actor::base(cfg), coordinator_(std::move(coordinator)), keeper_(std::move(keeper)) {}

  /// Exit messages are looked at here, before CAF handles them, because `kill` never reaches
  /// a handler: the keeper learns who sent it while the sender is still known.
  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) override {
    if (ptr && ptr->content().match_elements<caf::exit_msg>()) {
      const auto& msg = ptr->content().get_as<caf::exit_msg>(0);
      const auto& sender = ptr->sender;
      auto node = sender ? sender->node() : msg.source.node();
      auto actor = sender ? sender->id() : msg.source.id();
      caf::anon_send(keeper_, node, actor, msg.reason);
    }
    front_actor::base::enqueue(std::move(ptr), eu);
  }

  behavior_type make_behavior() override {
    monitor(coordinator_);
    set_down_handler([this](caf::down_msg&) { quit(); });
    set_exit_handler([](caf::exit_msg&) {
      // Reported by enqueue(); a trappable exit from a peer changes nothing.
    });
    set_default_handler([this](caf::scheduled_actor*, caf::message_view& msg) -> caf::result<caf::message> {
      report_refused(msg);
      return caf::sec::unexpected_message;
    });
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
    };
  }

 private:
  /// The keeper names the sender with its address; the message is cut, as a peer chose its size.
  void report_refused(caf::message_view& msg) {
    auto text = caf::to_string(msg.content());
    if (text.size() > max_reported_chars)
      text = text.substr(0, max_reported_chars) + "... (" + std::to_string(text.size()) + " characters)";
    const auto& sender = current_sender();
    caf::anon_send(keeper_, sender ? sender->node() : caf::node_id{}, sender ? sender->id() : caf::actor_id{0},
                   std::move(text));
  }

  static constexpr std::size_t max_reported_chars = 200;
  client_interface coordinator_;
  // Read by enqueue() on the sender's thread, so never changed. The keeper drops its handle to
  // this front when it dies or stops, which ends the cycle between the two.
  const front_keeper_actor keeper_;
};

}  // namespace

front_actor spawn_front(caf::actor_system& sys, client_interface coordinator, front_keeper_actor keeper) {
  return sys.spawn<front_impl>(std::move(coordinator), std::move(keeper));
}

}  // namespace meshjobs
