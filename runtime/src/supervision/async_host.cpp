#include "supervision/async_host.hpp"

#include <caf/all.hpp>


namespace meshjobs {

void async_host_state::init(self_pointer self, supervisor_actor parent, client_interface coordinator,
                            std::shared_ptr<const job_type> type, std::string where) {
  self_ = self;
  parent_ = std::move(parent);
  coordinator_ = std::move(coordinator);
  type_ = std::move(type);
  where_ = std::move(where);
}

void async_host_state::run(std::uint64_t run, job& j) {
  jobs_.emplace(run, std::make_unique<async_job>(*this, run, std::move(j)));
  invoke(run, [this](async_job& ctx) { type_->start(ctx); });
}

void async_host_state::drop(std::uint64_t run) {
  auto i = jobs_.find(run);
  if (i == jobs_.end())
    return;
  i->second->abandon();
  jobs_.erase(i);
}

void async_host_state::invoke(std::uint64_t run, const std::function<void(async_job&)>& fn) {
  auto i = jobs_.find(run);
  if (i == jobs_.end())
    return;  // ended, dropped or never here: its timers and replies are void
  auto& ctx = *i->second;
  try {
    fn(ctx);
  } catch (const job_failure& f) {
    ctx.fail(f.kind(), f.message());
  } catch (const std::exception& e) {
    ctx.fail(std::string{error_kinds::crashed}, e.what());
  } catch (...) {
    ctx.fail(std::string{error_kinds::crashed}, "unknown exception");
  }
  if (ctx.ended())
    jobs_.erase(run);
}

std::uint64_t async_host_state::new_watch_token(std::uint64_t run) {
  auto token = next_token_++;
  watch_runs_.emplace(token, run);
  return token;
}

void async_host_state::watched(std::uint64_t token, const job_end& end) {
  auto i = watch_runs_.find(token);
  if (i == watch_runs_.end())
    return;
  auto run = i->second;
  if (jobs_.count(run) == 0) {
    watch_runs_.erase(i);  // its job ended: nobody waits any more
    return;
  }
  bool complete = false;
  invoke(run, [&](async_job& ctx) { complete = ctx.child_ended(token, end); });
  if (complete || jobs_.count(run) == 0)
    watch_runs_.erase(token);
}

async_host_actor::behavior_type async_host(async_host_state::self_pointer self, supervisor_actor parent,
                                           client_interface coordinator,
                                           std::shared_ptr<const job_type> type, std::string where) {
  self->state.init(self, std::move(parent), std::move(coordinator), std::move(type), std::move(where));
  return {
    [self](run_atom, std::uint64_t run, job& j) { self->state.run(run, j); },
    [self](drop_atom, std::uint64_t run) { self->state.drop(run); },
    [self](signal_atom, std::uint64_t run, std::string& payload) {
      self->state.invoke(run, [&](async_job& ctx) { ctx.deliver_signal(std::move(payload)); });
    },
    [self](timer_atom, std::uint64_t run, timer_id id) {
      self->state.invoke(run, [id](async_job& ctx) { ctx.fire_timer(id); });
    },
    [self](post_atom, std::uint64_t run, async_task& t) {
      self->state.invoke(run, [&t](async_job&) { t.fn(); });
    },
    [self](watched_atom, std::uint64_t token, const job_end& end) { self->state.watched(token, end); },
  };
}

}  // namespace meshjobs
