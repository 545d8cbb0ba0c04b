#include "supervision/execution.hpp"

#include <caf/all.hpp>

#include "supervision/blocking_link.hpp"
#include "supervision/worker_pool.hpp"

namespace meshjobs {

job_error perform(const job_type& type, const job& j,
                  std::shared_ptr<const std::atomic<bool>> cancel_flag, const std::string& where,
                  std::shared_ptr<job_link> link) {
  try {
    job_context ctx{j, std::move(cancel_flag), std::move(link)};
    for (const auto& hook : type.before_perform)
      hook(ctx);
    if (type.around_perform.empty()) {
      type.perform(ctx);
    } else {
      std::function<void()> body = [&] { type.perform(ctx); };
      for (auto hook = type.around_perform.rbegin(); hook != type.around_perform.rend(); ++hook)
        body = [&ctx, &around = *hook, inner = std::move(body)] { around(ctx, inner); };
      body();
    }
    for (const auto& hook : type.after_perform)
      hook(ctx);
    return {};
  } catch (const job_failure& f) {
    return {f.kind(), f.message(), where};
  } catch (const std::exception& e) {
    return {std::string{error_kinds::crashed}, e.what(), where};
  } catch (...) {
    return {std::string{error_kinds::crashed}, "unknown exception", where};
  }
}

execution_actor::behavior_type execution(execution_actor::pointer self, supervisor_actor parent,
                                         std::shared_ptr<const job_type> type,
                                         std::shared_ptr<worker_pool> pool, std::string where,
                                         std::shared_ptr<std::atomic<bool>> cancel_flag,
                                         client_interface coordinator,
                                         std::shared_ptr<signal_inbox> signals) {
  auto link = std::make_shared<blocking_link>(self->system(), parent, std::move(coordinator),
                                              std::move(signals), !type->blocking);
  return {
    [=](run_atom, std::uint64_t run, job& j) {
      link->serve(run);  // the previous job of this slot has ended: its handler returned
      if (!type->blocking) {
        self->send(parent, done_atom::value, run, perform(*type, j, nullptr, where, link));
        return;
      }
      // A weak address: a thread that comes back from a hung handler after the node stopped
      // must not be the one that releases the supervisor.
      auto reply_to = caf::actor_cast<caf::actor_addr>(parent);
      pool->post(run, [reply_to, run, type, where, flag = cancel_flag, j = std::move(j), link](
                        const worker_pool::lifeline& line) {
        // Timed out or cancelled while it waited for a thread: it never starts.
        auto error = flag->load() ? job_error{std::string{error_kinds::cancelled},
                                              "given up on before a pool thread took it: not run", where}
                                  : perform(*type, j, flag, where, link);
        line.deliver([&] {
          if (auto to = caf::actor_cast<supervisor_actor>(caf::actor_cast<caf::strong_actor_ptr>(reply_to)))
            caf::anon_send(to, done_atom::value, run, std::move(error));
        });
      });
    },
  };
}

}  // namespace meshjobs
