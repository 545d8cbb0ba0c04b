// A host program that embeds meshjobs: it declares one job type (handler, retry strategy,
// hooks), listens on a channel, enqueues a few jobs, waits for them, reads what became of them
// and stops.
//
//   host              runs on a config built in code (memory store)
//   host CONFIG.yml   runs on a YAML config, e.g. the installed share/meshjobs/meshjobs.yml
//
// Exit status: 0 when every job ended as expected (last line `host example: ok`), 1 when one
// did not, 2 for a config with errors.
#include <meshjobs/config/loader.hpp>
#include <meshjobs/messages/json.hpp>
#include <meshjobs/runtime.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

using namespace std::chrono_literals;

namespace {

/// The messages received on a channel. Subscribers are called on the runtime's threads.
class inbox {
 public:
  void add(const std::string& payload) {
    std::lock_guard<std::mutex> guard{mutex_};
    payloads_.push_back(payload);
    arrived_.notify_all();
  }
  /// Publishing is asynchronous: a message may land just after drain() returns.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock{mutex_};
    return arrived_.wait_for(lock, timeout, [&] { return payloads_.size() >= count; });
  }
  std::size_t size() {
    std::lock_guard<std::mutex> guard{mutex_};
    return payloads_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> payloads_;
};

/// Counts what was not as expected, printing each check.
struct checklist {
  int failures = 0;
  void expect(bool ok, const std::string& what) {
    std::printf("  [%s] %s\n", ok ? "ok" : "FAILED", what.c_str());
    failures += ok ? 0 : 1;
  }
};

std::string id_text(meshjobs::job_id id) { return "#" + std::to_string(id); }

meshjobs::json::object parse_args(const meshjobs::job_context& ctx) {
  auto parsed = meshjobs::json::object::parse(ctx.args(), "args");
  if (auto* error = std::get_if<meshjobs::json::parse_error>(&parsed))
    throw meshjobs::job_failure("bad_args", error->message);
  return std::get<meshjobs::json::object>(std::move(parsed));
}

/// Delivers an email. A real handler would talk to a mail server; this one fails on purpose
/// for the first `fail_attempts` attempts, to show the retry strategy at work.
meshjobs::job_type email_delivery(meshjobs::runtime& rt) {
  meshjobs::job_type type;
  type.kind = "email.deliver";
  type.queue = "default";
  type.perform = [](meshjobs::job_context& ctx) {
    auto args = parse_args(ctx);
    auto to = args.get_string("to").value_or("");
    if (to.find('@') == std::string::npos)
      throw meshjobs::job_failure("bad_address", "\"" + to + "\" is not an email address");
    if (ctx.current().attempt <= args.get_int("fail_attempts").value_or(0))
      throw meshjobs::job_failure("smtp_unavailable", "the mail server did not answer");
  };

  // The strategy, declared as ActiveJob does: a mail server that is down is tried again after
  // 100 ms, 3 executions in all; a bad address is dropped at once, since running again cannot
  // fix it.
  type.retry.retry_on("smtp_unavailable", meshjobs::wait_strategy::fixed(100ms), 3)
    .discard_on("bad_address", [](const meshjobs::job& j, const meshjobs::job_error& e) {
      std::printf("  discarded %s: %s\n", id_text(j.id).c_str(), e.message.c_str());
    });

  // Hooks run around every execution: before it, wrapped around it, after it succeeded.
  type.before_perform.push_back([](meshjobs::job_context& ctx) {
    std::printf("  %s %s: attempt %d\n", ctx.current().kind.c_str(), id_text(ctx.current().id).c_str(),
                ctx.current().attempt);
  });
  type.around_perform.push_back([](meshjobs::job_context& ctx, const std::function<void()>& perform) {
    auto started = std::chrono::steady_clock::now();
    try {
      perform();
    } catch (const meshjobs::job_failure& failure) {
      std::printf("  %s failed: %s: %s\n", id_text(ctx.current().id).c_str(), failure.kind().c_str(),
                  failure.message().c_str());
      throw;
    }
    auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
    std::printf("  %s done in %.2f ms\n", id_text(ctx.current().id).c_str(), took.count());
  });
  type.after_perform.push_back([&rt](meshjobs::job_context& ctx) {
    meshjobs::json::writer message;
    message.begin_object().key("job").value(ctx.current().id).key("status").value("delivered").end_object();
    rt.publish("emails", message.take());
  });
  return type;
}

/// The config: the YAML file named on the command line, or one built in code.
bool load_config(int argc, char** argv, meshjobs::config& cfg) {
  if (argc < 2) {
    cfg.store.backend = meshjobs::store_backend::memory;  // jobs do not outlive the process
    cfg.concurrency = 4;
    cfg.timeout_s = 30;
    cfg.queues = {{"critical", 10}, {"default", 1}};
    return true;
  }
  auto loaded = meshjobs::load_config_file(argv[1]);
  for (const auto& error : loaded.errors)
    std::fprintf(stderr, "%s\n", error.to_string().c_str());
  cfg = std::move(loaded.value);
  // The shipped schedule runs the mesh pipeline's jobs, which this host does not register;
  // start() refuses a schedule naming a job no type has, so a host keeps only its own entries.
  cfg.schedule.clear();
  return loaded.ok();
}

void print_stats(const meshjobs::runtime_stats& stats) {
  std::printf("stats: %llu executions, %llu failed, %llu dead, %llu waiting\n",
              static_cast<unsigned long long>(stats.processed), static_cast<unsigned long long>(stats.failed),
              static_cast<unsigned long long>(stats.dead),
              static_cast<unsigned long long>(stats.enqueued + stats.scheduled));
  for (const auto& type : stats.types)
    std::printf("  %-14s %llu succeeded, %llu failed\n", type.kind.c_str(),
                static_cast<unsigned long long>(type.succeeded), static_cast<unsigned long long>(type.failed));
}

/// Prints how the job ended and checks it is the expected state after `attempts` executions.
void check_job(meshjobs::runtime& rt, checklist& checks, const char* who, meshjobs::job_id id,
               meshjobs::job_state state, int attempts) {
  auto found = rt.find(id);
  if (!found) {
    checks.expect(false, std::string{who} + " " + id_text(id) + " is known to the runtime");
    return;
  }
  checks.expect(found->state == state && found->attempt == attempts,
                std::string{who} + " " + id_text(id) + ": " + std::string{to_string(found->state)} + " after " +
                  std::to_string(found->attempt) + " attempt(s)");
}

}  // namespace

int main(int argc, char** argv) {
  meshjobs::config cfg;
  if (!load_config(argc, argv, cfg))
    return 2;
  checklist checks;
  inbox delivered;  // outlives the runtime that calls into it
  try {
    meshjobs::runtime rt{cfg};
    rt.register_type(email_delivery(rt));
    rt.start();

    auto subscription = rt.subscribe("emails", [&](const std::string& channel, const std::string& payload) {
      std::printf("  on %s: %s\n", channel.c_str(), payload.c_str());
      delivered.add(payload);
    });

    std::printf("enqueueing:\n");
    // Now, to be started within a minute or not at all.
    meshjobs::enqueue_request within_a_minute;
    within_a_minute.kind = "email.deliver";
    within_a_minute.args = R"({"to":"ada@example.com"})";
    within_a_minute.expires_at = meshjobs::to_timestamp(std::chrono::system_clock::now() + 1min);
    auto ada = rt.enqueue(within_a_minute);
    // In 200 ms; the mail server fails its first attempt.
    meshjobs::enqueue_request in_200ms;
    in_200ms.kind = "email.deliver";
    in_200ms.args = R"({"to":"bob@example.com","fail_attempts":1})";
    in_200ms.wait_us = 200'000;  // 200 ms
    auto bob = rt.enqueue(in_200ms);
    // At a given time, unique until executed: asking again before it ran is a duplicate.
    meshjobs::enqueue_request reminder;
    reminder.kind = "email.deliver";
    reminder.args = R"({"to":"carol@example.com"})";
    reminder.run_at = meshjobs::to_timestamp(std::chrono::system_clock::now() + 1s);
    reminder.has_unique = true;
    reminder.unique = meshjobs::unique_mode::until_executed;
    auto carol = rt.enqueue(reminder);
    auto carol_again = rt.enqueue(reminder);
    // Now, with an address that makes it discarded.
    auto nobody = rt.enqueue("email.deliver", R"({"to":"nobody"})");

    std::printf("replies:\n");
    checks.expect(ada.status == meshjobs::enqueue_status::enqueued, "ada " + id_text(ada.id) + ": enqueued");
    checks.expect(bob.status == meshjobs::enqueue_status::scheduled, "bob " + id_text(bob.id) + ": scheduled");
    checks.expect(carol.status == meshjobs::enqueue_status::scheduled, "carol " + id_text(carol.id) + ": scheduled");
    checks.expect(carol_again.status == meshjobs::enqueue_status::duplicate && carol_again.id == carol.id,
                  "carol again: duplicate of " + id_text(carol_again.id));
    checks.expect(nobody.status == meshjobs::enqueue_status::enqueued, "nobody " + id_text(nobody.id) + ": enqueued");

    std::printf("running:\n");
    bool drained = rt.drain(30s);
    bool all_delivered = delivered.wait_for(3, 5s);

    std::printf("after drain:\n");
    checks.expect(drained, "every job ended within 30 s");
    check_job(rt, checks, "ada", ada.id, meshjobs::job_state::succeeded, 1);
    check_job(rt, checks, "bob", bob.id, meshjobs::job_state::succeeded, 2);
    check_job(rt, checks, "carol", carol.id, meshjobs::job_state::succeeded, 1);
    check_job(rt, checks, "nobody", nobody.id, meshjobs::job_state::discarded, 1);
    checks.expect(rt.jobs(meshjobs::job_state::discarded).size() == 1, "one job in the discarded list");
    checks.expect(all_delivered && delivered.size() == 3,
                  "3 messages on channel \"emails\" (got " + std::to_string(delivered.size()) + ")");

    auto stats = rt.stats();
    print_stats(stats);
    checks.expect(stats.processed == 5 && stats.failed == 2, "5 executions, 2 of them failed");

    rt.unsubscribe(subscription);
    rt.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "host example: %s\n", e.what());
    return 1;
  }
  if (checks.failures != 0) {
    std::printf("host example: FAILED (%d check(s))\n", checks.failures);
    return 1;
  }
  std::printf("host example: ok\n");
  return 0;
}
