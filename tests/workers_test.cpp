// Workers register with the coordinator through the worker interface and are monitored: two
// supervisors of one kind share its jobs, and when one is killed under load its running jobs
// finish on the other without spending an attempt. Real actors, a real coordinator; the
// supervisors are spawned here, as a node that runs workers elsewhere would spawn them.
#include <gtest/gtest.h>

#include <caf/all.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <type_traits>

#include "coordinator/coordinator.hpp"
#include "events/event_bus.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "node/forget_system_on_this_thread.hpp"
#include "runtime_fixture.hpp"
#include "supervision/supervisor.hpp"
#include "supervision/worker_pool.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;

template <class Sig, class... Sigs>
constexpr bool has_signature(caf::detail::type_list<Sigs...>) {
  return (std::is_same<Sig, Sigs>::value || ...);
}

// A handle of one interface cannot send another's messages: CAF checks a typed send against
// the handle's signatures when it compiles, so these are the whole proof.
static_assert(!has_signature<caf::reacts_to<outcome_atom, std::vector<job_outcome>>>(
                client_interface::signatures{}),
              "a client handle must not send outcomes");
static_assert(!has_signature<caf::reacts_to<demand_atom, std::int32_t>>(client_interface::signatures{}),
              "a client handle must not send credit");
static_assert(!has_signature<caf::replies_to<stop_atom>::with<bool>>(client_interface::signatures{}),
              "a client handle must not stop the coordinator");
static_assert(!has_signature<caf::reacts_to<durable_atom, std::uint64_t, std::string>>(
                worker_interface::signatures{}),
              "a worker handle must not send the store's commits");
static_assert(!has_signature<caf::replies_to<enqueue_atom, enqueue_request>::with<enqueue_reply>>(
                worker_interface::signatures{}),
              "enqueue is a client message, not a worker's");

class system_config : public caf::actor_system_config {
 public:
  system_config() {
    register_message_types(*this);
    set("scheduler.max-threads", 2);
  }
};

struct node_parts {
  node_parts() {
    auto e = std::make_shared<runtime_env>();
    e->cfg = test_config(8);
    e->clk = std::make_shared<system_clock>();
    e->events = std::make_shared<event_bus>();
    e->pool = std::make_shared<worker_pool>(8, 8);
    env = e;
    requeued = e->events->subscribe("test", mask_of(event_kind::requeued), 1024, [this] {
      { std::lock_guard<std::mutex> guard{mutex}; }
      arrived.notify_all();
    });
  }

  /// Waits until `n` requeued events came; what came.
  std::vector<job_event> wait_requeued(std::size_t n) {
    std::vector<job_event> out;
    const auto deadline = std::chrono::steady_clock::now() + patience;
    std::unique_lock<std::mutex> guard{mutex};
    while (requeued->take(out, 1024) || out.size() < n) {
      if (out.size() >= n || arrived.wait_until(guard, deadline) == std::cv_status::timeout)
        break;
    }
    requeued->take(out, 1024);
    return out;
  }

  void add_type(job_type t) {
    auto e = std::const_pointer_cast<runtime_env>(env);
    e->spec_index.emplace(t.kind, static_cast<std::uint32_t>(e->specs.size()));
    e->specs.push_back(t.spec());
    e->type_index.emplace(t.kind, static_cast<std::uint32_t>(e->types.size()));
    e->types.push_back(std::make_shared<const job_type>(std::move(t)));
  }

  std::shared_ptr<const runtime_env> env;
  std::mutex mutex;
  std::condition_variable arrived;
  std::shared_ptr<event_subscription> requeued;
};

TEST(Workers, TwoOfOneKindShareItsJobsAndWhenOneIsKilledUnderLoadItsJobsFinishOnTheOther) {
  node_parts parts;
  gate release;
  concurrency_meter inside;
  std::atomic<int> runs{0};
  job_type t;
  t.kind = "work";
  t.concurrency = 2;  // each worker's capacity
  t.perform = [&](job_context& ctx) {
    runs += 1;
    inside.enter();
    release.pass(ctx);
    inside.leave();
  };
  parts.add_type(std::move(t));
  std::shared_ptr<store> db = make_memory_store();
  constexpr int jobs = 200;
  {
    system_config cfg;
    caf::actor_system sys{cfg};
    {
      forget_system_on_this_thread forget;
      caf::scoped_actor self{sys};
      auto coord = sys.spawn(coordinator, parts.env, db);
      auto type = parts.env->types.front();
      auto killed = sys.spawn(supervisor, worker_interface{coord}, client_interface{coord}, type, parts.env);
      auto survivor = sys.spawn(supervisor, worker_interface{coord}, client_interface{coord}, type, parts.env);
      std::vector<enqueue_request> reqs(jobs);
      for (auto& r : reqs)
        r.kind = "work";
      std::vector<job_id> ids;
      self->request(coord, caf::infinite, enqueue_atom::value, reqs)
        .receive([&](std::vector<enqueue_reply>& replies) {
                   for (const auto& r : replies)
                     ids.push_back(r.id);
                 },
                 [&](caf::error& e) { FAIL() << sys.render(e); });
      ASSERT_EQ(ids.size(), static_cast<std::size_t>(jobs));
      // Both workers full: two jobs each, every one held at the gate.
      ASSERT_TRUE(inside.wait_current(4)) << "both workers should be running their two jobs";

      caf::anon_send_exit(killed, caf::exit_reason::kill);
      // The coordinator saw it go: its two jobs were requeued, the attempt not counted.
      ASSERT_EQ(parts.wait_requeued(2).size(), 2u);
      release.open();

      bool drained = false;
      self->request(coord, caf::infinite, drain_atom::value)
        .receive([&](bool ok) { drained = ok; }, [&](caf::error& e) { FAIL() << sys.render(e); });
      EXPECT_TRUE(drained);
      for (auto id : ids) {
        self->request(coord, caf::infinite, lookup_atom::value, id)
          .receive(
            [&](job_lookup& found) {
              ASSERT_TRUE(found.found) << "job " << id;
              EXPECT_EQ(found.value.state, job_state::succeeded) << "job " << id;
              EXPECT_EQ(found.value.attempt, 1) << "job " << id << ": the killed worker's attempt counted";
            },
            [&](caf::error& e) { FAIL() << sys.render(e); });
      }
      runtime_stats stats;
      self->request(coord, caf::infinite, stats_atom::value)
        .receive([&](runtime_stats& s) { stats = std::move(s); }, [&](caf::error& e) { FAIL() << sys.render(e); });
      EXPECT_EQ(stats.failed, 0u);
      EXPECT_EQ(stats.types.at(0).succeeded, static_cast<std::uint64_t>(jobs));
      // The two jobs of the killed worker ran twice: once there (their handlers still returned
      // once the gate opened) and once on the survivor.
      EXPECT_EQ(runs.load(), jobs + 2);
      caf::anon_send_exit(survivor, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(coord, caf::exit_reason::user_shutdown);
    }
    sys.await_all_actors_done();
    std::const_pointer_cast<runtime_env>(parts.env)->pool.reset();
  }
}

TEST(Workers, ARegistrationForAKindTheCoordinatorDoesNotKnowIsRefusedWithTheKind) {
  node_parts parts;
  job_type t;
  t.kind = "work";
  t.perform = [](job_context&) {};
  parts.add_type(std::move(t));
  std::shared_ptr<store> db = make_memory_store();
  system_config cfg;
  caf::actor_system sys{cfg};
  {
    forget_system_on_this_thread forget;
    caf::scoped_actor self{sys};
    auto coord = sys.spawn(coordinator, parts.env, db);
    worker_interface head = coord;
    std::string answer;
    self->request(head, caf::infinite, register_atom::value, worker_registration{"elsewhere", {"mystery"}, 4, {}},
                  caf::actor_cast<worker_actor>(self))
      .receive([&](std::string& error) { answer = std::move(error); },
               [&](caf::error& e) { FAIL() << sys.render(e); });
    EXPECT_EQ(answer, "register: kind \"mystery\" is unknown to this coordinator");
    // An unregistered sender's outcome is ignored: the coordinator stays up and answers.
    self->send(head, outcome_atom::value, std::vector<job_outcome>{job_outcome{}});
    bool answered = false;
    self->request(coord, caf::infinite, stats_atom::value)
      .receive([&](runtime_stats&) { answered = true; }, [&](caf::error& e) { FAIL() << sys.render(e); });
    EXPECT_TRUE(answered);
    caf::anon_send_exit(coord, caf::exit_reason::user_shutdown);
  }
  sys.await_all_actors_done();
  std::const_pointer_cast<runtime_env>(parts.env)->pool.reset();
}

}  // namespace
}  // namespace meshjobs

#include "supervision/local_workers.hpp"

namespace meshjobs {
namespace {

TEST(RunKinds, AListNamesKindsExactlyOrByPrefixAndAnEmptyListNamesAll) {
  EXPECT_TRUE(runs_kind("", "mesh.generation"));
  EXPECT_TRUE(runs_kind("demo.*", "demo.noop"));
  EXPECT_FALSE(runs_kind("demo.*", "mesh.generation"));
  EXPECT_TRUE(runs_kind("demo.noop, mesh.generation", "mesh.generation"));
  EXPECT_FALSE(runs_kind("demo.noop, mesh.generation", "mesh.generation2"));
  EXPECT_FALSE(runs_kind("mesh.gen", "mesh.generation"));
  EXPECT_TRUE(runs_kind("*", "anything"));
  EXPECT_FALSE(runs_kind(",", "demo.noop"));
}

}  // namespace
}  // namespace meshjobs
