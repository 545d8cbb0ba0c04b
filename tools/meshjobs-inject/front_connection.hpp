// The link to a node's front actor: a small actor system with CAF's middleman, an
// authenticated connection (TLS and the cluster secret, before BASP), and one request per
// call, each bounded by the timeout and ended at once when the link is lost.
// CAF stays out of this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "command_line.hpp"
#include "link/link_credentials.hpp"
#include "meshjobs/messages/job_event.hpp"
#include "meshjobs/messages/protocol.hpp"

namespace meshjobs::inject {

/// No answer came: nothing listens, the link broke or the node stayed silent. Names the node.
struct transport_error {
  std::string message;
};

template <class T>
using answer = std::variant<T, transport_error>;

class front_connection {
 public:
  front_connection(std::chrono::milliseconds timeout, link::link_credentials credentials);
  ~front_connection();
  front_connection(const front_connection&) = delete;
  front_connection& operator=(const front_connection&) = delete;

  std::optional<transport_error> connect(const node_address& node);

  answer<enqueue_reply> enqueue(const enqueue_request& req);
  answer<runtime_stats> stats();
  answer<job_page> list(const job_query& query);
  answer<job_lookup> lookup(job_id id);
  answer<cancel_status> cancel(job_id id);
  /// Subscribes to the node's events: `on_batch` gets them (on a CAF thread) while
  /// `until_stopped` runs on the caller's; `on_lost(why)` is called if the link is lost.
  std::optional<transport_error> follow_events(const std::function<void(const std::vector<job_event>&)>& on_batch,
                                               const std::function<void(const std::string&)>& on_lost,
                                               const std::function<void()>& until_stopped);
  answer<bool> retry_dead(job_id id);
  answer<bool> pause(const std::string& queue, bool paused);
  answer<signal_status> signal(job_id id, const std::string& payload);
  /// A view the node registered ("batch", ...): its JSON, or {"error", "detail"}.
  answer<std::string> view(const std::string& name, const std::string& key);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace meshjobs::inject
