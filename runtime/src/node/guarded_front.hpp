// What every published front shares: it tells its keeper who sent it an exit message (before
// CAF handles it, because `kill` never reaches a handler) and who sent it a message it does not
// accept, then refuses that message. The fronts themselves only say what they forward where.
#pragma once

#include <caf/all.hpp>

#include "node/front_keeper.hpp"

namespace meshjobs {

template <class Interface>
class guarded_front : public Interface::base {
 public:
  using super = typename Interface::base;

  guarded_front(caf::actor_config& cfg, front_keeper_actor keeper) : super(cfg), keeper_(std::move(keeper)) {}

  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) override {
    if (ptr && ptr->content().template match_elements<caf::exit_msg>()) {
      const auto& msg = ptr->content().template get_as<caf::exit_msg>(0);
      const auto& sender = ptr->sender;
      auto node = sender ? sender->node() : msg.source.node();
      auto actor = sender ? sender->id() : msg.source.id();
      caf::anon_send(keeper_, node, actor, msg.reason);
    }
    super::enqueue(std::move(ptr), eu);
  }

 protected:
  /// Ends with the coordinator; traps exits; reports and refuses what it does not accept.
  template <class Coordinator>
  void guard(const Coordinator& coordinator) {
    this->monitor(coordinator);
    this->set_down_handler([this](caf::down_msg&) { this->quit(); });
    this->set_exit_handler([](caf::exit_msg&) {
      // Reported by enqueue(); a trappable exit from a peer changes nothing.
    });
    this->set_default_handler([this](caf::scheduled_actor*, caf::message_view& msg) -> caf::result<caf::message> {
      report_refused(msg);
      return caf::sec::unexpected_message;
    });
  }

 private:
  /// The keeper names the sender with its address; the message is cut, as a peer chose its size.
  void report_refused(caf::message_view& msg) {
    auto text = caf::to_string(msg.content());
    if (text.size() > max_reported_chars)
      text = text.substr(0, max_reported_chars) + "... (" + std::to_string(text.size()) + " characters)";
    const auto& sender = this->current_sender();
    caf::anon_send(keeper_, sender ? sender->node() : caf::node_id{}, sender ? sender->id() : caf::actor_id{0},
                   std::move(text));
  }

  static constexpr std::size_t max_reported_chars = 200;

  // Read by enqueue() on the sender's thread, so never changed. The keeper drops its handle to
  // this front when it dies or stops, which ends the cycle between the two.
  const front_keeper_actor keeper_;
};

}  // namespace meshjobs
