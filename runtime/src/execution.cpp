#include "execution.hpp"

#include <caf/all.hpp>

#include "worker_pool.hpp"

namespace meshjobs {

job_error perform(const job_type& type, const job& j,
                  std::shared_ptr<const std::atomic<bool>> cancel_flag, const std::string& where) {
  try {
    job_context ctx{j, std::move(cancel_flag)};
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
                                         std::shared_ptr<std::atomic<bool>> cancel_flag) {
  return {
    [=](run_atom, std::uint64_t run, job& j) {
      if (!type->blocking) {
        self->send(parent, done_atom::value, run, perform(*type, j, nullptr, where));
        return;
      }
      // A weak address: a thread that comes back from a hung handler after the node stopped
      // must not be the one that releases the supervisor.
      auto reply_to = caf::actor_cast<caf::actor_addr>(parent);
      pool->post(run, [reply_to, run, type, where, flag = cancel_flag, j = std::move(j)](
                        const worker_pool::lifeline& line) {
        // Timed out or cancelled while it waited for a thread: it never starts.
        auto error = flag->load() ? job_error{std::string{error_kinds::cancelled},
                                              "given up on before a pool thread took it: not run", where}
                                  : perform(*type, j, flag, where);
        line.deliver([&] {
          if (auto to = caf::actor_cast<supervisor_actor>(caf::actor_cast<caf::strong_actor_ptr>(reply_to)))
            caf::anon_send(to, done_atom::value, run, std::move(error));
        });
      });
    },
  };
}

}  // namespace meshjobs
