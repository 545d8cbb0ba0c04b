// The job ledger driven directly, without an actor system: each transition of a job's life and
// the effects it returns, and the requests the ledger must refuse or ignore.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "coordinator/job_ledger.hpp"
#include "events/event_bus.hpp"
#include "meshjobs/clock.hpp"
#include "meshjobs/config/loader.hpp"

namespace meshjobs {
namespace {

constexpr timestamp start_time = 1714564830000000;  // 2024-05-01T12:00:30Z
constexpr timestamp second = 1000000;

class JobLedger : public ::testing::Test {
 protected:
  JobLedger() {
    auto env = std::make_shared<runtime_env>();
    env->cfg = default_config();
    env->cfg.concurrency = 8;
    env->clk = clk;
    env->events = std::make_shared<event_bus>();
    for (const char* kind : {"work", "other"}) {
      job_spec spec;
      spec.kind = kind;
      spec.queue = env->cfg.queues.front().name;
      env->spec_index.emplace(kind, static_cast<std::uint32_t>(env->specs.size()));
      env->specs.push_back(spec);
    }
    subscription = env->events->subscribe("test", all_events, 1 << 16);
    this->env = env;
    db = make_memory_store();
    ledger = std::make_unique<job_ledger>(env, db);
  }

  job_id admit(const std::string& kind = "work", timestamp run_at = 0, timestamp expires_at = 0) {
    enqueue_request req;
    req.kind = kind;
    req.run_at = run_at;
    req.expires_at = expires_at;
    auto reply = ledger->admit(req);
    EXPECT_TRUE(reply.status == enqueue_status::enqueued || reply.status == enqueue_status::scheduled)
      << reply.error;
    return reply.id;
  }

  worker_id add_worker(std::vector<std::string> kinds = {"work"}, std::int32_t capacity = 4) {
    worker_id id = 0;
    auto error = ledger->register_worker(worker_actor{}, {"node-a", std::move(kinds), capacity, {}}, id);
    EXPECT_EQ(error, "");
    return id;
  }

  /// Dispatches and returns what went to workers, as (worker, job) pairs.
  std::vector<std::pair<worker_id, job>> dispatch() {
    ledger->dispatch();
    last = ledger->take_effects();
    std::vector<std::pair<worker_id, job>> out;
    for (const auto& batch : last.dispatches)
      for (const auto& j : batch.jobs)
        out.emplace_back(batch.worker, j);
    return out;
  }

  job find(job_id id) {
    auto found = ledger->lookup(id);
    EXPECT_TRUE(found.found) << "job " << id;
    return found.value;
  }

  void report(worker_id from, job_id id, outcome_kind kind, timestamp retry_at = 0) {
    job_outcome o;
    o.id = id;
    o.kind = kind;
    o.finished_at = clk->now();
    o.retry_at = retry_at;
    if (kind != outcome_kind::succeeded && kind != outcome_kind::requeued)
      o.error = {"boom", "it failed", "node-a/work"};
    std::vector<job_outcome> outcomes{o};
    ledger->apply_outcomes(from, outcomes);
  }

  /// An outcome as a worker reports it for the copy of the job it was handed (its run).
  static job_outcome outcome_of(const job& handed, outcome_kind kind, timestamp at) {
    job_outcome o;
    o.id = handed.id;
    o.kind = kind;
    o.attempt = handed.attempt;
    o.run = handed.run;
    o.finished_at = at;
    if (kind != outcome_kind::succeeded)
      o.error = {"boom", "it failed", "node-a/work"};
    return o;
  }

  void report_run(worker_id from, const job& handed, outcome_kind kind) {
    std::vector<job_outcome> outcomes{outcome_of(handed, kind, clk->now())};
    ledger->apply_outcomes(from, outcomes);
  }

  /// A job handed out to a worker that is then given up (its link timed out, say): the copy
  /// that worker still runs. The job waits in its queue again.
  job handed_then_lost() {
    admit();
    auto cut_off = add_worker({"work"}, 1);
    auto handed = dispatch().at(0).second;
    ledger->worker_lost(cut_off);
    return handed;
  }

  std::vector<event_kind> event_kinds() {
    std::vector<event_kind> out;
    for (const auto& e : last.events)
      out.push_back(e.what);
    return out;
  }

  std::shared_ptr<manual_clock> clk = std::make_shared<manual_clock>(start_time);
  std::shared_ptr<const runtime_env> env;
  std::shared_ptr<event_subscription> subscription;
  std::shared_ptr<store> db;
  std::unique_ptr<job_ledger> ledger;
  ledger_effects last;
};

TEST_F(JobLedger, AdmitThenDispatchToARegisteredWorkerStartsTheJob) {
  auto id = admit();
  EXPECT_EQ(find(id).state, job_state::enqueued);
  EXPECT_TRUE(dispatch().empty()) << "no worker has registered: nothing can start";
  auto worker = add_worker();
  auto sent = dispatch();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, worker);
  EXPECT_EQ(sent[0].second.id, id);
  EXPECT_EQ(sent[0].second.attempt, 1);
  EXPECT_EQ(find(id).state, job_state::running);
  EXPECT_TRUE(event_kinds().empty()) << "dispatched is not started: its worker says when";
  ledger->jobs_started(worker + 1, {id});
  EXPECT_TRUE(ledger->take_effects().events.empty()) << "not from a worker that does not run it";
  ledger->jobs_started(worker, {id});
  last = ledger->take_effects();
  EXPECT_EQ(event_kinds(), std::vector<event_kind>{event_kind::started});
  EXPECT_EQ(last.events[0].id, id);
  EXPECT_EQ(last.events[0].kind, "work");
  EXPECT_EQ(last.events[0].queue, env->cfg.queues.front().name);
  EXPECT_EQ(last.events[0].attempt, 1);
  EXPECT_EQ(last.events[0].started_at, start_time);
  EXPECT_TRUE(db->dirty()) << "the transition is written into the store's open batch";
}

TEST_F(JobLedger, AScheduledJobIsPromotedWhenItsTimeComesAndNotBefore) {
  auto id = admit("work", start_time + 10 * second);
  add_worker();
  EXPECT_TRUE(dispatch().empty());
  EXPECT_EQ(last.wake_at, start_time + 10 * second) << "a timer is asked for the job's time";
  clk->set(start_time + 10 * second);
  ledger->promote_due();
  auto sent = dispatch();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.id, id);
}

TEST_F(JobLedger, DispatchNeverGivesAWorkerMoreThanItsCredit) {
  for (int i = 0; i < 5; ++i)
    admit();
  auto worker = add_worker({"work"}, 2);
  EXPECT_EQ(dispatch().size(), 2u);
  EXPECT_TRUE(dispatch().empty());
  ledger->add_credit(worker, 1);
  EXPECT_TRUE(dispatch().empty()) << "credit past capacity minus running is not trusted";
  job_query running;
  running.by_state = true;
  running.state = job_state::running;
  report(worker, ledger->query(running).jobs.at(0).id, outcome_kind::succeeded);
  ledger->add_credit(worker, 1);
  EXPECT_EQ(dispatch().size(), 1u);
}

TEST_F(JobLedger, SuccessFinishesTheJobAndAStaleOutcomeChangesNothing) {
  auto id = admit();
  auto worker = add_worker();
  dispatch();
  report(worker, id, outcome_kind::succeeded);
  last = ledger->take_effects();
  EXPECT_EQ(event_kinds(), std::vector<event_kind>{event_kind::succeeded});
  EXPECT_EQ(find(id).state, job_state::succeeded);
  const auto processed = ledger->stats().processed;
  report(worker, id, outcome_kind::dead);  // the same job's outcome again: stale
  EXPECT_EQ(find(id).state, job_state::succeeded);
  EXPECT_EQ(ledger->stats().processed, processed);
  EXPECT_TRUE(ledger->take_effects().events.empty());
}

TEST_F(JobLedger, AnOutcomeFromAWorkerThatDoesNotRunTheJobIsIgnored) {
  auto id = admit();
  auto runs_it = add_worker();
  auto other = add_worker();
  auto sent = dispatch();
  ASSERT_EQ(sent.size(), 1u);
  const auto wrong = sent[0].first == runs_it ? other : runs_it;
  report(wrong, id, outcome_kind::succeeded);
  EXPECT_EQ(find(id).state, job_state::running);
  std::vector<job_progress> progress{{id, 50, "half"}};
  ledger->record_progress(wrong, progress);
  EXPECT_EQ(find(id).progress, 0);
  progress = {{id, 50, "half"}};
  ledger->record_progress(sent[0].first, progress);
  EXPECT_EQ(find(id).progress, 50);
  EXPECT_EQ(find(id).progress_message, "half");
}

TEST_F(JobLedger, ARetryIsScheduledThenRunsAgainAsTheNextAttempt) {
  auto id = admit();
  auto worker = add_worker();
  dispatch();
  report(worker, id, outcome_kind::retry, start_time + 30 * second);
  last = ledger->take_effects();
  EXPECT_EQ(event_kinds(), std::vector<event_kind>{event_kind::retrying});
  EXPECT_EQ(find(id).state, job_state::retrying);
  EXPECT_EQ(last.wake_at, start_time + 30 * second);
  clk->set(start_time + 30 * second);
  ledger->promote_due();
  auto sent = dispatch();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.attempt, 2);
}

TEST_F(JobLedger, ADeadJobCanBeRetriedOnceAndOnlyWhileDead) {
  auto id = admit();
  auto worker = add_worker();
  dispatch();
  report(worker, id, outcome_kind::dead);
  EXPECT_EQ(find(id).state, job_state::dead);
  EXPECT_TRUE(ledger->retry_dead(id));
  EXPECT_EQ(find(id).state, job_state::enqueued);
  EXPECT_EQ(find(id).attempt, 0);
  EXPECT_FALSE(ledger->retry_dead(id)) << "it is no longer dead";
  EXPECT_FALSE(ledger->retry_dead(9999));
}

TEST_F(JobLedger, DeadJobsArePrunedPastTheCountBound) {
  auto cfg_env = std::make_shared<runtime_env>(*env);
  cfg_env->cfg.store.dead_max_jobs = 1;
  ledger = std::make_unique<job_ledger>(cfg_env, db);
  auto first = admit();
  auto second_job = admit();
  auto worker = add_worker();
  dispatch();
  report(worker, first, outcome_kind::dead);
  report(worker, second_job, outcome_kind::dead);
  EXPECT_FALSE(ledger->lookup(first).found) << "the oldest dead job was pruned";
  EXPECT_EQ(find(second_job).state, job_state::dead);
}

TEST_F(JobLedger, DiscardedAndCancelledOutcomesAreFinal) {
  auto discarded = admit();
  auto cancelled = admit();
  auto worker = add_worker();
  dispatch();
  report(worker, discarded, outcome_kind::discarded);
  report(worker, cancelled, outcome_kind::cancelled);
  EXPECT_EQ(find(discarded).state, job_state::discarded);
  EXPECT_EQ(find(cancelled).state, job_state::cancelled);
}

TEST_F(JobLedger, FollowUpJobsAreEnqueuedWithTheirOutcomeRunOnceItIsDurableAndNotForAStaleOne) {
  auto id = admit();
  auto worker = add_worker({"work", "other"});
  dispatch();
  job_outcome o;
  o.id = id;
  o.kind = outcome_kind::dead;
  o.error = {"boom", "it failed", "node-a/work"};
  enqueue_request notify;
  notify.kind = "other";
  notify.args = R"({"after":1})";
  enqueue_request unknown;
  unknown.kind = "no.such.kind";
  o.follow_ups = {notify, unknown};
  std::vector<job_outcome> outcomes{o};
  ledger->apply_outcomes(worker, outcomes);
  last = ledger->take_effects();
  // The refused follow-up (unknown kind) is logged; the outcome and the other follow-up stand.
  EXPECT_EQ(event_kinds(), (std::vector<event_kind>{event_kind::dead, event_kind::enqueued}));
  EXPECT_EQ(find(id).state, job_state::dead);
  auto follow = find(last.events.back().id);
  EXPECT_EQ(follow.kind, "other");
  EXPECT_EQ(follow.args, R"({"after":1})");
  EXPECT_EQ(follow.state, job_state::enqueued);
  EXPECT_TRUE(dispatch().empty()) << "a follow-up waits until its outcome's commit is durable";
  ledger->commit_started(1);
  EXPECT_TRUE(dispatch().empty());
  ledger->commit_done(1, true);
  auto started = dispatch();
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].second.id, follow.id);

  std::vector<job_outcome> again{o};  // the same outcome, stale now: nothing follows it
  ledger->apply_outcomes(worker, again);
  EXPECT_TRUE(ledger->take_effects().events.empty());
}

TEST_F(JobLedger, CancelEndsAWaitingJobAsksTheWorkerOfARunningOneAndRefusesAnEndedOne) {
  auto waiting = admit();
  EXPECT_EQ(ledger->cancel(waiting), cancel_status::cancelled);
  EXPECT_EQ(find(waiting).state, job_state::cancelled);
  auto running = admit();
  add_worker();
  EXPECT_EQ(dispatch().size(), 1u);
  EXPECT_EQ(ledger->cancel(running), cancel_status::stopping);
  last = ledger->take_effects();
  ASSERT_EQ(last.cancels.size(), 1u);
  EXPECT_EQ(last.cancels[0].id, running);
  EXPECT_EQ(find(running).state, job_state::running) << "its outcome, not the cancel, ends it";
  EXPECT_EQ(ledger->cancel(waiting), cancel_status::finished) << "a cancel after the job ended";
  EXPECT_EQ(ledger->cancel(12345), cancel_status::not_found);
}

TEST_F(JobLedger, AJobPastItsExpiryExpiresInsteadOfStarting) {
  auto id = admit("work", 0, start_time + second);
  ledger->take_effects();
  clk->set(start_time + 2 * second);
  add_worker();
  EXPECT_TRUE(dispatch().empty());
  EXPECT_EQ(find(id).state, job_state::expired);
  EXPECT_EQ(event_kinds(), std::vector<event_kind>{event_kind::expired});
}

TEST_F(JobLedger, ALostWorkersJobsRunAgainElsewhereWithoutSpendingAnAttempt) {
  admit();
  admit();
  auto lost = add_worker({"work"}, 2);
  ASSERT_EQ(dispatch().size(), 2u);
  auto other = add_worker({"work"}, 2);
  ledger->worker_lost(lost);
  auto sent = dispatch();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& [to, j] : sent) {
    EXPECT_EQ(to, other);
    EXPECT_EQ(j.attempt, 1) << "the lost attempt is not counted";
  }
  const auto kinds = event_kinds();
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), event_kind::requeued), kinds.end());
  report(lost, sent[0].second.id, outcome_kind::succeeded);  // the lost worker, late
  EXPECT_EQ(find(sent[0].second.id).state, job_state::running);
}

TEST_F(JobLedger, WorkersOfAKindAreTheOnlyOnesToGetItsJobs) {
  admit("other");
  add_worker({"work"});
  EXPECT_TRUE(dispatch().empty());
  auto other = add_worker({"other"});
  auto sent = dispatch();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, other);
}

TEST_F(JobLedger, StatsListTheRegisteredWorkersWithTheirCreditAndRunningJobs) {
  admit();
  auto first = add_worker({"work"}, 3);
  auto second_worker = add_worker({"other"}, 2);
  dispatch();
  auto workers = ledger->stats().workers;
  ASSERT_EQ(workers.size(), 2u);
  EXPECT_EQ(workers[0].id, first);
  EXPECT_EQ(workers[0].node, "node-a");
  EXPECT_EQ(workers[0].kinds, std::vector<std::string>{"work"});
  EXPECT_EQ(workers[0].capacity, 3);
  EXPECT_EQ(workers[0].credit, 2);
  EXPECT_EQ(workers[0].running, 1u);
  EXPECT_EQ(workers[1].id, second_worker);
  EXPECT_EQ(workers[1].running, 0u);
  ledger->worker_lost(first);
  ASSERT_EQ(ledger->stats().workers.size(), 1u);
}

TEST_F(JobLedger, RegistrationNamesWhatItRefuses) {
  worker_id id = 0;
  EXPECT_EQ(ledger->register_worker(worker_actor{}, {"n", {"nope"}, 1, {}}, id),
            "register: kind \"nope\" is unknown to this coordinator");
  EXPECT_EQ(ledger->register_worker(worker_actor{}, {"n", {"work"}, 0, {}}, id),
            "register: capacity must be > 0 (got 0)");
  EXPECT_EQ(ledger->register_worker(worker_actor{}, {"n", {}, 1, {}}, id), "register: no kinds");
}

TEST_F(JobLedger, APausedWorkerGetsNothingUntilItResumes) {
  admit();
  auto worker = add_worker();
  ledger->take_effects();
  ledger->set_paused(worker, start_time + 5 * second);
  EXPECT_TRUE(dispatch().empty());
  EXPECT_EQ(event_kinds(), std::vector<event_kind>{event_kind::type_paused});
  EXPECT_TRUE(ledger->stats().types[0].paused);
  ledger->set_paused(worker, 0);
  EXPECT_EQ(dispatch().size(), 1u);
}

TEST_F(JobLedger, UnknownKindsAndAStoppingLedgerAreRefusedWithTheirReason) {
  enqueue_request req;
  req.kind = "nope";
  auto reply = ledger->admit(req);
  EXPECT_EQ(reply.status, enqueue_status::refused);
  EXPECT_NE(reply.error.find("unknown job kind \"nope\""), std::string::npos) << reply.error;
  auto worker = add_worker();
  ledger->begin_stop();
  last = ledger->take_effects();
  EXPECT_EQ(last.stops.size(), 1u) << "each worker is told to stop";
  req.kind = "work";
  EXPECT_EQ(ledger->admit(req).status, enqueue_status::refused);
  (void)worker;
}

TEST_F(JobLedger, WhileTheStoreIsUnhealthyAdmittedJobsWaitForTheirCommit) {
  ledger->commit_done(1, false);
  auto id = admit();
  add_worker();
  EXPECT_TRUE(dispatch().empty()) << "a job whose write is not durable must not run";
  ledger->commit_started(2);
  ledger->commit_done(2, true);
  auto sent = dispatch();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.id, id);
}

TEST_F(JobLedger, AJobWhoseWriteFailedIsWithdrawnAndItsReplySaysRefused) {
  enqueue_request req;
  req.kind = "work";
  req.idempotency_key = "k1";
  auto reply = ledger->admit(req);
  ledger->withdraw_not_durable(reply, "k1", "disk full");
  EXPECT_EQ(reply.status, enqueue_status::refused);
  EXPECT_EQ(reply.error, "store: not durable: disk full");
  EXPECT_FALSE(ledger->lookup(reply.id).found);
  EXPECT_EQ(ledger->admit(req).status, enqueue_status::enqueued) << "its key was forgotten";
}

TEST_F(JobLedger, SignalsReachTheWorkerOfARunningJobOnly) {
  auto id = admit();
  EXPECT_EQ(ledger->signal(id, "{}"), signal_status::not_running);
  add_worker();
  dispatch();
  EXPECT_EQ(ledger->signal(id, R"({"done":true})"), signal_status::delivered);
  last = ledger->take_effects();
  ASSERT_EQ(last.signals.size(), 1u);
  EXPECT_EQ(last.signals[0].payload, R"({"done":true})");
  EXPECT_EQ(ledger->signal(id, "[1]"), signal_status::refused);
  EXPECT_EQ(ledger->signal(777, "{}"), signal_status::not_found);
}

TEST_F(JobLedger, WatchersHearOnceWhenAWatchedJobEnds) {
  auto id = admit();
  auto worker = add_worker();
  dispatch();
  ledger->watch({id, 4242}, watcher_actor{}, 7);
  last = ledger->take_effects();
  ASSERT_EQ(last.watched.size(), 1u) << "an unknown job is answered at once";
  EXPECT_FALSE(last.watched[0].end.found);
  report(worker, id, outcome_kind::succeeded);
  last = ledger->take_effects();
  ASSERT_EQ(last.watched.size(), 1u);
  EXPECT_EQ(last.watched[0].token, 7u);
  EXPECT_EQ(last.watched[0].end.state, job_state::succeeded);
  report(worker, id, outcome_kind::succeeded);
  EXPECT_TRUE(ledger->take_effects().watched.empty());
}

TEST_F(JobLedger, RecoveryRequeuesWhatWasRunningAndMarksAJobThatKeepsKillingItsNodeAsPoison) {
  auto id = admit();
  add_worker();
  dispatch();
  for (int restart = 1; restart <= 3; ++restart) {
    ledger = std::make_unique<job_ledger>(env, db);  // the node restarted on the same store
    ledger->recover();
    const auto j = find(id);
    if (restart < 3) {
      EXPECT_EQ(j.state, job_state::enqueued);
      EXPECT_EQ(j.attempt, 0) << "the attempt its node died in is not counted";
      add_worker();
      ASSERT_EQ(dispatch().size(), 1u);
    } else {
      EXPECT_EQ(j.state, job_state::dead);
      EXPECT_EQ(j.last_error.kind, "poison");
    }
  }
}

TEST_F(JobLedger, AWorkerHandingAJobBackRequeuesItAtTheFrontWithoutSpendingAnAttempt) {
  auto first = admit();
  admit();
  auto worker = add_worker({"work"}, 1);
  ASSERT_EQ(dispatch().size(), 1u);
  report(worker, first, outcome_kind::requeued);
  ledger->add_credit(worker, 1);
  auto sent = dispatch();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second.id, first);
  EXPECT_EQ(sent[0].second.attempt, 1);
}

}  // namespace
}  // namespace meshjobs

namespace meshjobs {
namespace {

TEST_F(JobLedger, AnOutcomeThatComesAfterItsWorkerWasGivenUpAppliesOnceWhileTheJobStillWaits) {
  const auto handed = handed_then_lost();
  const auto id = handed.id;
  ASSERT_EQ(find(id).state, job_state::enqueued);

  // The same node joins again (a new registration) and reports what it finished meanwhile.
  auto rejoined = add_worker({"work"}, 1);
  report_run(rejoined, handed, outcome_kind::succeeded);

  EXPECT_EQ(find(id).state, job_state::succeeded);
  EXPECT_EQ(find(id).attempt, 1);
  EXPECT_TRUE(dispatch().empty()) << "the job ran once: it is not handed out again";
  EXPECT_EQ(ledger->stats().running, 0u);
  report_run(rejoined, handed, outcome_kind::succeeded);
  EXPECT_EQ(find(id).state, job_state::succeeded) << "a second report changes nothing";
}

TEST_F(JobLedger, ALateOutcomeOfAnEarlierRunIsIgnoredOnceTheJobRunsAgainEvenOnTheSameWorker) {
  const auto first = handed_then_lost();
  const auto id = first.id;
  auto rejoined = add_worker({"work"}, 2);
  const auto second = dispatch().at(0).second;  // handed out again, to the rejoined node
  ASSERT_EQ(second.attempt, first.attempt) << "the lost run spent no attempt";
  ASSERT_NE(second.run, first.run);

  report_run(rejoined, first, outcome_kind::dead);
  EXPECT_EQ(find(id).state, job_state::running) << "the first run's outcome must not end the second run";

  report_run(rejoined, second, outcome_kind::succeeded);
  EXPECT_EQ(find(id).state, job_state::succeeded);
}

TEST_F(JobLedger, ALateOutcomeOfAJobThatAlreadyEndedElsewhereChangesNothing) {
  const auto first = handed_then_lost();
  const auto id = first.id;
  auto other = add_worker({"work"}, 1);
  const auto second = dispatch().at(0).second;
  report_run(other, second, outcome_kind::succeeded);
  ASSERT_EQ(find(id).state, job_state::succeeded);

  auto rejoined = add_worker({"work"}, 1);
  report_run(rejoined, first, outcome_kind::dead);
  EXPECT_EQ(find(id).state, job_state::succeeded);
  EXPECT_EQ(ledger->stats().dead, 0u);
}

}  // namespace
}  // namespace meshjobs
