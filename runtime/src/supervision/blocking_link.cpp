#include "supervision/blocking_link.hpp"

#include <caf/all.hpp>

#include <stdexcept>

#include "node/forget_system_on_this_thread.hpp"
#include "supervision/signal_inbox.hpp"

namespace meshjobs {
namespace {

constexpr auto enqueue_timeout = std::chrono::seconds(60);

}  // namespace

blocking_link::blocking_link(caf::actor_system& sys, supervisor_actor parent,
                             client_interface coordinator, std::shared_ptr<signal_inbox> signals,
                             bool on_actor_thread)
    : sys_(sys), parent_(std::move(parent)), coordinator_(std::move(coordinator)), signals_(std::move(signals)), on_actor_thread_(on_actor_thread) {}

void blocking_link::progress(std::int32_t percent, std::string message) {
  caf::anon_send(parent_, progress_atom::value, run_, percent, std::move(message));
}

void blocking_link::refuse_on_actor_thread(const char* what) const {
  if (on_actor_thread_)
    throw std::logic_error(std::string{"job_context::"} + what +
                           " blocks, and this handler runs on an actor thread (blocking = false): "
                           "make the type blocking, or write it as an asynchronous job (start)");
}

template <class Result, class Request>
Result blocking_link::ask(Request req, Result on_failure) {
  forget_system_on_this_thread forget;
  caf::scoped_actor self{sys_};
  Result result = std::move(on_failure);
  self->request(coordinator_, enqueue_timeout, enqueue_atom::value, std::move(req))
    .receive([&](Result& r) { result = std::move(r); }, [&](caf::error&) {});
  return result;
}

enqueue_reply blocking_link::enqueue(enqueue_request req) {
  refuse_on_actor_thread("enqueue");
  enqueue_reply failed;
  failed.error = "enqueue: the coordinator did not answer";
  return ask(std::move(req), std::move(failed));
}

std::vector<enqueue_reply> blocking_link::enqueue_many(std::vector<enqueue_request> reqs) {
  refuse_on_actor_thread("enqueue_many");
  enqueue_reply failed;
  failed.error = "enqueue: the coordinator did not answer";
  std::vector<enqueue_reply> all_failed(reqs.size(), failed);
  return ask(std::move(reqs), std::move(all_failed));
}

std::optional<std::string> blocking_link::next_signal(std::chrono::milliseconds timeout,
                                                      const job_context& ctx) {
  refuse_on_actor_thread("next_signal");
  return signals_->next(timeout, [&ctx] { return ctx.cancelled(); });
}

}  // namespace meshjobs
