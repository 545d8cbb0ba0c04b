// The config loader: the seed's sidekiq.yml block as it is, meshjobs' sections, and an error
// that names the key, the reason and the fix for every way a config can be wrong.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "meshjobs/config/loader.hpp"

namespace meshjobs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The "Job Configuration" block of seed/background-jobs-spec.md, byte for byte.
constexpr std::string_view seed_sidekiq_yml = R"yml(
# config/sidekiq.yml
:verbose: false
:concurrency: 25
:timeout: 300

:queues:
  - [critical, 10]
  - [mesh_generation, 5]
  - [batch_processing, 3]
  - [default, 2]
  - [low_priority, 1]

:limits:
  mesh_generation: 10  # Max 10 concurrent mesh generations
  batch_processing: 2  # Max 2 concurrent batch jobs

# Cron jobs
:schedule:
  cleanup_old_meshes:
    cron: "0 2 * * *"  # Daily at 2 AM
    class: "Mesh::CleanupJob"
    args:
      older_than: 604800  # 7 days in seconds
  
  cleanup_orphaned_files:
    cron: "0 3 * * 0"  # Weekly on Sunday at 3 AM
    class: "Storage::CleanupJob"
  
  generate_usage_report:
    cron: "0 0 1 * *"  # Monthly on the 1st
    class: "Reports::UsageReportJob"
)yml";

std::string shipped_yml_path() {
  return std::string(MESHJOBS_SOURCE_DIR) + "/config/meshjobs.yml";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A fresh file under the test's temporary directory holding `text`.
std::string write_temp_file(const std::string& name, std::string_view text) {
  const std::string path = ::testing::TempDir() + "meshjobs_config_test_" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

std::vector<std::string> messages(const config_result& result) {
  std::vector<std::string> out;
  for (const auto& error : result.errors)
    out.push_back(error.to_string());
  return out;
}

// Every field of a config as text, so that two configs compare with a readable diff.

std::string dump_seed_sections(const config& c) {
  std::ostringstream out;
  out << "verbose=" << c.verbose << " concurrency=" << c.concurrency
      << " timeout_s=" << c.timeout_s << "\nqueues:";
  for (const auto& q : c.queues)
    out << " " << q.name << "/" << q.weight;
  out << "\nlimits:";
  for (const auto& [queue, limit] : c.limits)
    out << " " << queue << "=" << limit;
  out << "\nschedule:";
  for (const auto& e : c.schedule)
    out << "\n  " << e.name << " cron=" << e.cron << " kind=" << e.kind << " args=" << e.args
        << " queue=" << e.queue;
  return out.str();
}

std::string dump_meshjobs_sections(const config& c) {
  std::ostringstream out;
  out << "store: backend=" << to_string(c.store.backend) << " path=" << c.store.path
      << " sync=" << static_cast<int>(c.store.sync) << " dead_max_jobs=" << c.store.dead_max_jobs
      << " dead_max_age_s=" << c.store.dead_max_age_s;
  out << "\nnode: name=" << c.node.name << " role=" << to_string(c.node.role)
      << " inject_host=" << c.node.inject_host << " inject_port=" << c.node.inject_port
      << " max_pending=" << c.node.max_pending
      << " scheduler=" << static_cast<int>(c.node.scheduler)
      << " scheduler_threads=" << c.node.scheduler_threads
      << " max_written_off_threads=" << c.node.max_written_off_threads;
  const auto& m = c.mesh_service;
  out << "\nmesh_service: backend=" << static_cast<int>(m.backend) << " url=" << m.url
      << " poll_interval_ms=" << m.poll_interval_ms << " poll_timeout_s=" << m.poll_timeout_s
      << " request_timeout_ms=" << m.request_timeout_ms << " max_image_bytes=" << m.max_image_bytes
      << " max_image_pixels=" << m.max_image_pixels << " callback_secret=" << m.callback_secret;
  out << "\nstorage: root=" << c.storage.root
      << " min_free_mb=" << c.storage.min_free_mb << " thumbnail_size=" << c.storage.thumbnail_size;
  out << "\nnotifications: log=" << c.notifications.log << " webhook_url=" << c.notifications.webhook_url
      << " webhook_secret=" << c.notifications.webhook_secret;
  out << "\nmetrics: statsd=" << c.metrics.statsd << " prefix=" << c.metrics.prefix;
  out << "\nhttp: host=" << c.http.host << " port=" << c.http.port << " token=" << c.http.token
      << " max_body_bytes=" << c.http.max_body_bytes << " app_host=" << c.http.app_host;
  const auto& sec = c.security;
  out << "\nsecurity: transport=" << to_string(sec.transport) << " keys_dir=" << sec.keys_dir << " ca=" << sec.ca
      << " certificate=" << sec.certificate << " key=" << sec.key << " secret=" << sec.secret
      << " handshake_timeout_ms=" << sec.handshake_timeout_ms;
  return out.str();
}

std::string dump(const config& c) {
  return dump_seed_sections(c) + "\n" + dump_meshjobs_sections(c);
}

/// The one schedule entry's args as JSON, loading `args_yaml` (indented under `args:`).
config_result load_args(std::string_view args_yaml) {
  return load_config_string("schedule:\n  job:\n    cron: \"* * * * *\"\n    kind: mesh.cleanup\n"
                            "    args:\n"
                            + std::string(args_yaml));
}

std::string args_json(std::string_view args_yaml) {
  const auto result = load_args(args_yaml);
  EXPECT_THAT(messages(result), ElementsAre());
  return result.value.schedule.empty() ? "" : result.value.schedule.front().args;
}

// --- the seed block and the shipped file ---

TEST(ConfigLoader, SeedSidekiqBlockLoadsExactlyAsWritten) {
  const auto result = load_config_string(seed_sidekiq_yml, "sidekiq.yml");
  ASSERT_THAT(messages(result), ElementsAre());
  const config& c = result.value;
  EXPECT_FALSE(c.verbose);
  EXPECT_EQ(c.concurrency, 25);
  EXPECT_EQ(c.timeout_s, 300);
  ASSERT_EQ(c.queues.size(), 5u);
  const std::vector<std::pair<std::string, int>> expected_queues{
    {"critical", 10}, {"mesh_generation", 5}, {"batch_processing", 3}, {"default", 2},
    {"low_priority", 1}};
  for (std::size_t i = 0; i < expected_queues.size(); ++i) {
    EXPECT_EQ(c.queues[i].name, expected_queues[i].first) << "queues[" << i << "]";
    EXPECT_EQ(c.queues[i].weight, expected_queues[i].second) << "queues[" << i << "]";
  }
  EXPECT_EQ(c.limits,
            (std::map<std::string, int>{{"mesh_generation", 10}, {"batch_processing", 2}}));
  ASSERT_EQ(c.schedule.size(), 3u);
  EXPECT_EQ(c.schedule[0].name, "cleanup_old_meshes");
  EXPECT_EQ(c.schedule[0].cron, "0 2 * * *");
  EXPECT_EQ(c.schedule[0].kind, "mesh.cleanup");
  EXPECT_EQ(c.schedule[0].args, R"({"older_than":604800})");
  EXPECT_EQ(c.schedule[0].queue, "");
  EXPECT_EQ(c.schedule[1].name, "cleanup_orphaned_files");
  EXPECT_EQ(c.schedule[1].cron, "0 3 * * 0");
  EXPECT_EQ(c.schedule[1].kind, "storage.cleanup");
  EXPECT_EQ(c.schedule[1].args, "{}");
  EXPECT_EQ(c.schedule[2].name, "generate_usage_report");
  EXPECT_EQ(c.schedule[2].cron, "0 0 1 * *");
  EXPECT_EQ(c.schedule[2].kind, "reports.usage_report");
  EXPECT_EQ(c.schedule[2].args, "{}");
  EXPECT_EQ(dump_meshjobs_sections(c), dump_meshjobs_sections(config{}))
    << "the seed block has no store or node section, so both keep their defaults";
}

TEST(ConfigLoader, ShippedFileContainsTheSeedBlockVerbatim) {
  EXPECT_THAT(read_text(shipped_yml_path()), HasSubstr(std::string(seed_sidekiq_yml)));
}

TEST(ConfigLoader, ShippedFileLoadsWithoutErrorsAndEqualsDefaultConfig) {
  const auto result = load_config_file(shipped_yml_path());
  ASSERT_THAT(messages(result), ElementsAre());
  EXPECT_EQ(dump(result.value), dump(default_config()));
}

TEST(ConfigLoader, ShippedFileIsTheSeedBlockPlusDurableStoreAndDefaultNode) {
  config expected = load_config_string(seed_sidekiq_yml).value;
  expected.store.backend = store_backend::sqlite;
  expected.store.path = "meshjobs.db";
  EXPECT_EQ(dump(default_config()), dump(expected));
}

// --- accepted forms ---

TEST(ConfigLoader, PlainKeysMeanTheSameAsRubySymbolKeys) {
  const auto plain = load_config_string(R"(
verbose: true
concurrency: 8
timeout: 60
queues:
  - [critical, 10]
  - [default, 1]
limits:
  critical: 3
schedule:
  nightly:
    cron: "0 2 * * *"
    class: "Mesh::CleanupJob"
    args: {older_than: 60}
)");
  const auto symbols = load_config_string(R"(
:verbose: true
:concurrency: 8
:timeout: 60
:queues:
  - [critical, 10]
  - [default, 1]
:limits:
  :critical: 3
:schedule:
  :nightly:
    :cron: "0 2 * * *"
    :class: "Mesh::CleanupJob"
    :args: {:older_than: 60}
)");
  ASSERT_THAT(messages(plain), ElementsAre());
  ASSERT_THAT(messages(symbols), ElementsAre());
  EXPECT_TRUE(plain.value.verbose);
  EXPECT_EQ(plain.value.concurrency, 8);
  EXPECT_EQ(plain.value.schedule.at(0).args, R"({"older_than":60})");
  EXPECT_EQ(dump(plain.value), dump(symbols.value));
}

TEST(ConfigLoader, QueueMayBeANameAPairOrAMap) {
  const auto result = load_config_string(R"(
queues:
  - critical
  - [mesh_generation, 5]
  - {name: batch_processing, weight: 3}
  - {name: low_priority}
)");
  ASSERT_THAT(messages(result), ElementsAre());
  const auto& q = result.value.queues;
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].name, "critical");
  EXPECT_EQ(q[0].weight, 1);
  EXPECT_EQ(q[1].name, "mesh_generation");
  EXPECT_EQ(q[1].weight, 5);
  EXPECT_EQ(q[2].name, "batch_processing");
  EXPECT_EQ(q[2].weight, 3);
  EXPECT_EQ(q[3].name, "low_priority");
  EXPECT_EQ(q[3].weight, 1);
}

TEST(ConfigLoader, MissingSectionsKeepTheirDefaults) {
  const auto empty = load_config_string("");
  ASSERT_THAT(messages(empty), ElementsAre());
  EXPECT_EQ(dump(empty.value), dump(config{}));

  const auto partial = load_config_string("concurrency: 5\nstore:\n  sync: full\n");
  ASSERT_THAT(messages(partial), ElementsAre());
  config expected;
  expected.concurrency = 5;
  expected.store.sync = store_sync::full;
  EXPECT_EQ(dump(partial.value), dump(expected));
  ASSERT_EQ(partial.value.queues.size(), 1u);
  EXPECT_EQ(partial.value.queues[0].name, "default");
  EXPECT_EQ(partial.value.queues[0].weight, 1);
}

TEST(ConfigLoader, MeshjobsSectionsReadEveryKey) {
  const auto result = load_config_string(R"(
store:
  backend: memory
  path: /var/lib/meshjobs/jobs.db
  sync: full
  dead_max_jobs: 0
  dead_max_age: 3600
  finished_max_jobs: 50
  finished_max_age: 2h
node:
  name: worker-1
  role: worker
  inject_host: 0.0.0.0
  inject_port: 65535
  max_pending: 10
  scheduler: sharing
  scheduler_threads: 256
  max_written_off_threads: 4096
)");
  ASSERT_THAT(messages(result), ElementsAre());
  const auto& s = result.value.store;
  EXPECT_EQ(s.backend, store_backend::memory);
  EXPECT_EQ(s.path, "/var/lib/meshjobs/jobs.db");
  EXPECT_EQ(s.sync, store_sync::full);
  EXPECT_EQ(s.dead_max_jobs, 0);
  EXPECT_EQ(s.dead_max_age_s, 3600);
  EXPECT_EQ(s.finished_max_jobs, 50);
  EXPECT_EQ(s.finished_max_age_s, 7200);
  const auto& n = result.value.node;
  EXPECT_EQ(n.name, "worker-1");
  EXPECT_EQ(n.role, node_role::worker);
  EXPECT_EQ(n.inject_host, "0.0.0.0");
  EXPECT_EQ(n.inject_port, 65535);
  EXPECT_EQ(n.max_pending, 10);
  EXPECT_EQ(n.scheduler, scheduler_policy::sharing);
  EXPECT_EQ(n.scheduler_threads, 256);
  EXPECT_EQ(n.max_written_off_threads, 4096);
}

TEST(ConfigLoader, DeadMaxAgeTakesSecondsOrADurationWithUnit) {
  const std::vector<std::pair<std::string, std::int64_t>> cases{
    {"30s", 30}, {"15m", 900}, {"6h", 21600}, {"180d", 15552000}, {"86400", 86400}};
  for (const auto& [text, seconds] : cases) {
    const auto result = load_config_string("store:\n  dead_max_age: " + text + "\n");
    ASSERT_THAT(messages(result), ElementsAre()) << text;
    EXPECT_EQ(result.value.store.dead_max_age_s, seconds) << text;
  }
}

TEST(ConfigLoader, FinishedJobsAreKeptTenThousandForSevenDaysByDefault) {
  const auto result = load_config_string("store:\n  backend: memory\n");
  ASSERT_THAT(messages(result), ElementsAre());
  EXPECT_EQ(result.value.store.finished_max_jobs, 10000);
  EXPECT_EQ(result.value.store.finished_max_age_s, 7 * 86400);
}

TEST(ConfigErrors, AFinishedMaxAgePastOneHundredYearsIsRefused) {
  const auto result = load_config_string("store:\n  finished_max_age: 40000d\n");
  ASSERT_EQ(messages(result).size(), 1u);
  EXPECT_EQ(messages(result)[0].rfind("config: store.finished_max_age: must be at most", 0), 0u)
    << messages(result)[0];
}

TEST(ConfigLoader, ScheduleEntriesKeepFileOrderAndTakeAKindOrAQueue) {
  const auto result = load_config_string(R"(
queues: [critical, default]
schedule:
  zeta:
    cron: "*/5 * * * *"
    kind: mesh.retry
    queue: critical
    description: "re-run failed meshes"
  alpha:
    cron: "0 0 * * *"
    class: "Notifications::MeshCompletionJob"
)");
  ASSERT_THAT(messages(result), ElementsAre());
  const auto& s = result.value.schedule;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "zeta");
  EXPECT_EQ(s[0].kind, "mesh.retry");
  EXPECT_EQ(s[0].queue, "critical");
  EXPECT_EQ(s[1].name, "alpha");
  EXPECT_EQ(s[1].kind, "notifications.mesh_completion");
  EXPECT_EQ(s[1].queue, "");
}

TEST(ConfigLoader, EnumsPrintAsTheyAreWritten) {
  EXPECT_EQ(to_string(store_backend::memory), "memory");
  EXPECT_EQ(to_string(store_backend::sqlite), "sqlite");
  EXPECT_EQ(to_string(node_role::standalone), "standalone");
  EXPECT_EQ(to_string(node_role::head), "head");
  EXPECT_EQ(to_string(node_role::worker), "worker");
}

// --- errors: each names the key path, the reason, and the fix where there is one ---

TEST(ConfigErrors, NonPositiveWeightNamesTheQueueItem) {
  const auto result = load_config_string("queues:\n  - [critical, 10]\n  - [default, 2]\n"
                                         "  - [low_priority, -1]\n");
  EXPECT_THAT(messages(result), ElementsAre("config: queues[2]: weight must be > 0 (got -1)"));
}

TEST(ConfigErrors, WeightInMapFormNamesTheWeightKey) {
  const auto result = load_config_string("queues:\n  - {name: critical, weight: 0}\n");
  EXPECT_THAT(messages(result), ElementsAre("config: queues[0].weight: must be > 0 (got 0)"));
}

TEST(ConfigErrors, UnknownKeySuggestsTheClosestKnownKey) {
  const auto result = load_config_string("store:\n  bakend: sqlite\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: store.bakend: unknown key (did you mean \"backend\"?)"));
}

TEST(ConfigErrors, UnknownKeyFarFromAnyKnownKeyListsTheKnownKeys) {
  const auto result = load_config_string(":pidfile: /tmp/sidekiq.pid\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: pidfile: unknown key (expected one of verbose, concurrency, "
                          "timeout, queues, limits, schedule, store, node, mesh_service, storage, "
                          "notifications, metrics, http, security, batch)"));
}

TEST(ConfigErrors, LimitForAQueueNotInQueuesNamesBoth) {
  const auto result = load_config_string(
    "queues:\n  - [mesh_generation, 5]\nlimits:\n  mesh_gen: 10\n  mesh_generaton: 2\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: limits.mesh_gen: no queue named \"mesh_gen\" in queues",
                          "config: limits.mesh_generaton: no queue named \"mesh_generaton\" in "
                          "queues (did you mean \"mesh_generation\"?)"));
}

TEST(ConfigErrors, LimitForAQueueMissingFromDefaultQueuesIsAnError) {
  const auto result = load_config_string("limits:\n  critical: 1\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: limits.critical: no queue named \"critical\" in queues"));
}

TEST(ConfigErrors, ScheduleQueueMustBeListedInQueues) {
  const auto result = load_config_string(
    "schedule:\n  nightly:\n    cron: \"0 2 * * *\"\n    kind: mesh.cleanup\n    queue: low\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: schedule.nightly.queue: no queue named \"low\" in queues"));
}

TEST(ConfigErrors, CronWithoutFiveFieldsIsRejected) {
  const auto result = load_config_string(
    "schedule:\n  cleanup_old_meshes:\n    cron: \"0 0 2 * * *\"\n    class: Mesh::CleanupJob\n"
    "  hourly:\n    cron: \"@hourly\"\n    class: Mesh::CleanupJob\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: schedule.cleanup_old_meshes.cron: needs 5 fields (got 6)",
                          "config: schedule.hourly.cron: needs 5 fields (got 1)"));
}

TEST(ConfigErrors, ABadCronExpressionIsRejectedByTheLoaderNamingItsEntry) {
  const auto result = load_config_string(
    "schedule:\n  nightly:\n    cron: \"0 24 * * *\"\n    class: Mesh::CleanupJob\n"
    "  monthly:\n    cron: \"0 0 1 13 *\"\n    kind: mesh.cleanup\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: schedule.nightly.cron: hour: 24 is out of range 0-23",
                          "config: schedule.monthly.cron: month: 13 is out of range 1-12"));
}

TEST(ConfigErrors, ACronExpressionThatCanNeverFireIsRejectedNamingItsEntry) {
  const auto result = load_config_string(
    "schedule:\n  february_30:\n    cron: \"0 0 30 2 *\"\n    kind: mesh.cleanup\n"
    "  april_31:\n    cron: \"0 0 31 4 *\"\n    kind: mesh.cleanup\n");
  ASSERT_EQ(result.errors.size(), 2u) << ::testing::PrintToString(messages(result));
  EXPECT_THAT(result.errors[0].to_string(),
              StartsWith("config: schedule.february_30.cron: never fires: "));
  EXPECT_THAT(result.errors[1].to_string(),
              StartsWith("config: schedule.april_31.cron: never fires: "));
}

TEST(ConfigErrors, ScheduleEntryNeedsACronAndExactlyOneOfClassOrKind) {
  const auto result = load_config_string(R"(
schedule:
  both:
    cron: "* * * * *"
    class: Mesh::CleanupJob
    kind: mesh.cleanup
  neither:
    cron: "* * * * *"
  no_cron:
    kind: mesh.cleanup
)");
  EXPECT_THAT(messages(result),
              ElementsAre("config: schedule.both: give class or kind, not both",
                          "config: schedule.neither: needs a job: class (e.g. "
                          "\"Mesh::CleanupJob\") or kind (e.g. \"mesh.cleanup\")",
                          "config: schedule.no_cron.cron: required: a 5-field cron expression "
                          "in UTC, e.g. \"0 2 * * *\""));
}

TEST(ConfigErrors, MalformedClassAndKindNamesAreRejected) {
  const auto result = load_config_string(R"(
schedule:
  a:
    cron: "* * * * *"
    class: "mesh cleanup"
  b:
    cron: "* * * * *"
    kind: Mesh.Cleanup
)");
  EXPECT_THAT(messages(result),
              ElementsAre("config: schedule.a.class: must be a Ruby class name such as "
                          "\"Mesh::CleanupJob\" (got \"mesh cleanup\")",
                          "config: schedule.b.kind: must be a job kind such as \"mesh.cleanup\" "
                          "(got \"Mesh.Cleanup\")"));
}

TEST(ConfigErrors, WrongTypeSaysWhatWasExpectedAndWhatWasFound) {
  const auto result = load_config_string(R"(
concurrency: many
verbose: yes
timeout: 2.5
queues: {critical: 10}
node:
  name: [a, b]
)");
  EXPECT_THAT(messages(result),
              ElementsAre("config: concurrency: expected an integer, found the string \"many\"",
                          "config: verbose: expected true or false, found the string \"yes\"",
                          "config: timeout: expected an integer, found the number 2.5",
                          "config: node.name: expected a string, found a list",
                          "config: queues: expected a list of queues, found a map"));
}

TEST(ConfigErrors, QuotedNumberIsAStringNotAnInteger) {
  const auto result = load_config_string("concurrency: \"25\"\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: concurrency: expected an integer, found the string \"25\""));
}

TEST(ConfigErrors, BadEnumValueListsTheChoices) {
  const auto result = load_config_string(
    "store:\n  backend: redis\n  sync: ful\nnode:\n  role: leader\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: store.backend: must be one of memory, sqlite (got \"redis\")",
                          "config: store.sync: must be one of normal, full (got \"ful\"; did you "
                          "mean \"full\"?)",
                          "config: node.role: must be one of standalone, head, worker (got "
                          "\"leader\")"));
}

TEST(ConfigErrors, BadDurationShowsTheAcceptedForms) {
  const auto result = load_config_string("store:\n  dead_max_age: 6 months\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: store.dead_max_age: expected seconds or a duration such as "
                          "30s, 15m, 6h or 180d, found the string \"6 months\""));
}

TEST(ConfigErrors, IntegersOutsideTheirRangeNameTheRange) {
  const auto result = load_config_string(R"(
concurrency: 0
timeout: 86401
node:
  inject_port: 70000
  max_pending: 0
  scheduler_threads: 257
  max_written_off_threads: -1
store:
  dead_max_jobs: -1
  dead_max_age: -5
  finished_max_jobs: -2
  finished_max_age: -7
)");
  EXPECT_THAT(messages(result),
              ElementsAre("config: concurrency: must be from 1 to 10000 (got 0)",
                          "config: timeout: must be from 1 to 86400 (got 86401)",
                          "config: node.inject_port: must be from 0 to 65535 (got 70000)",
                          "config: node.max_pending: must be > 0 (got 0)",
                          "config: node.scheduler_threads: must be from 0 to 256 (got 257)",
                          "config: node.max_written_off_threads: must be from 0 to 4096 (got -1)",
                          "config: store.dead_max_jobs: must be >= 0 (got -1)",
                          "config: store.dead_max_age: must be >= 0 (got -5)",
                          "config: store.finished_max_jobs: must be >= 0 (got -2)",
                          "config: store.finished_max_age: must be >= 0 (got -7)"));
}

TEST(ConfigErrors, IntegerBeyondSixtyFourBitsIsOutOfRange) {
  const auto result = load_config_string("queues:\n  - [critical, 99999999999999999999]\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: queues[0]: weight must be at most 2147483647 "
                          "(got 99999999999999999999)"));
}

TEST(ConfigErrors, QueueListMustBeNonEmptyWithUniqueNonEmptyNames) {
  EXPECT_THAT(messages(load_config_string("queues: []\n")),
              ElementsAre("config: queues: must list at least one queue, e.g. - [default, 1]"));
  EXPECT_THAT(messages(load_config_string("queues:\n  - default\n  - [critical, 2]\n"
                                          "  - [default, 3]\n  - ''\n  - [a, 1, 2]\n  - ~\n")),
              ElementsAre("config: queues[2]: queue \"default\" is listed twice (also "
                          "queues[0]); keep one",
                          "config: queues[3]: name must not be empty",
                          "config: queues[4]: expected [name, weight], found a list of 3 items",
                          "config: queues[5]: expected a queue: name, [name, weight] or "
                          "{name: ..., weight: ...}, found null"));
}

TEST(ConfigErrors, SameKeyAsSymbolAndPlainIsReportedOnce) {
  const auto result = load_config_string(":concurrency: 25\nconcurrency: 30\n");
  EXPECT_THAT(messages(result),
              ElementsAre("config: concurrency: given twice, as \":concurrency\" and "
                          "\"concurrency\" (a leading ':' names the same key); keep one"));
}

TEST(ConfigErrors, TopLevelThatIsNotAMapNamesTheSource) {
  const auto result = load_config_string("- concurrency\n", "node.yml");
  EXPECT_THAT(messages(result), ElementsAre("config: node.yml: expected a map, found a list"));
}

TEST(ConfigErrors, SeveralErrorsAreAllReported) {
  const auto result = load_config_string(R"(
:concurrency: 0
:queues:
  - [critical, 10]
  - [default, -1]
:limits:
  mesh_gen: 10
:schedule:
  cleanup_old_meshes:
    cron: "0 2 * * * *"
    class: "Mesh::CleanupJob"
store:
  bakend: sqlite
  sync: always
)");
  EXPECT_THAT(messages(result),
              ElementsAre("config: concurrency: must be from 1 to 10000 (got 0)",
                          "config: store.bakend: unknown key (did you mean \"backend\"?)",
                          "config: store.sync: must be one of normal, full (got \"always\")",
                          "config: queues[1]: weight must be > 0 (got -1)",
                          "config: limits.mesh_gen: no queue named \"mesh_gen\" in queues",
                          "config: schedule.cleanup_old_meshes.cron: needs 5 fields (got 6)"));
  EXPECT_FALSE(result.ok());
}

TEST(ConfigErrors, MalformedYamlNamesTheSourceAndTheLine) {
  const auto result = load_config_string("queues:\n  - [critical, 10\nlimits: {}\n", "broken.yml");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, "broken.yml");
  EXPECT_THAT(result.errors[0].reason, StartsWith("invalid YAML at line 3, column "));
  EXPECT_THAT(result.errors[0].reason, HasSubstr("end of sequence flow not found"));
}

TEST(ConfigErrors, MalformedYamlInAFileNamesThePath) {
  const std::string path = write_temp_file("malformed.yml", "store:\n  backend: [sqlite\n");
  const auto result = load_config_file(path);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].key, path);
  EXPECT_THAT(result.errors[0].reason, StartsWith("invalid YAML at line "));
}

TEST(ConfigErrors, UnreadableFileNamesThePathAndTheSystemReason) {
  const std::string missing = ::testing::TempDir() + "meshjobs_config_test_no_such_file.yml";
  std::remove(missing.c_str());
  const auto absent = load_config_file(missing);
  EXPECT_THAT(messages(absent),
              ElementsAre("config: " + missing + ": cannot read: " + std::strerror(ENOENT)));

  const auto directory = load_config_file(MESHJOBS_SOURCE_DIR);
  EXPECT_THAT(messages(directory), ElementsAre(std::string("config: ") + MESHJOBS_SOURCE_DIR
                                               + ": cannot read: " + std::strerror(EISDIR)));
}

TEST(ConfigLoader, ConfigFileErrorsAreReportedLikeStringErrors) {
  const std::string path = write_temp_file("bad_weight.yml", "queues:\n  - [critical, 0]\n");
  EXPECT_THAT(messages(load_config_file(path)),
              ElementsAre("config: queues[0]: weight must be > 0 (got 0)"));
}

// --- Sidekiq class names to meshjobs kinds ---

TEST(KindFromClassName, SeedJobClassesMapToDottedSnakeCaseKinds) {
  EXPECT_EQ(kind_from_class_name("Mesh::CleanupJob"), "mesh.cleanup");
  EXPECT_EQ(kind_from_class_name("Storage::ThumbnailGenerationJob"),
            "storage.thumbnail_generation");
  EXPECT_EQ(kind_from_class_name("Reports::UsageReportJob"), "reports.usage_report");
  EXPECT_EQ(kind_from_class_name("Notifications::MeshCompletionJob"),
            "notifications.mesh_completion");
  EXPECT_EQ(kind_from_class_name("Mesh::BatchGenerationJob"), "mesh.batch_generation");
}

TEST(KindFromClassName, EdgeCasesKeepAReadableKind) {
  EXPECT_EQ(kind_from_class_name("Mesh::HTTPCallbackJob"), "mesh.http_callback");
  EXPECT_EQ(kind_from_class_name("Mesh::Cleanup_job"), "mesh.cleanup");
  EXPECT_EQ(kind_from_class_name("Reports::UsageReport"), "reports.usage_report");
  EXPECT_EQ(kind_from_class_name("::Mesh::CleanupJob"), "mesh.cleanup");
  EXPECT_EQ(kind_from_class_name("Mesh::Job"), "mesh.job") << "a bare Job keeps its name";
  EXPECT_EQ(kind_from_class_name("V2::Mesh3dJob"), "v2.mesh3d");
  EXPECT_EQ(kind_from_class_name("CleanupJob"), "cleanup");
}

// --- schedule args: YAML in, JSON object text out ---

TEST(ScheduleArgs, NestedMapsAndListsBecomeJson) {
  EXPECT_EQ(args_json("      filter:\n        status: [failed, retrying]\n"
                      "        project: {id: 7, tags: []}\n      limit: 100\n"),
            R"({"filter":{"status":["failed","retrying"],"project":{"id":7,"tags":[]}},)"
            R"("limit":100})");
}

TEST(ScheduleArgs, StringsAreEscapedForJson) {
  EXPECT_EQ(args_json("      quote: 'say \"hi\"'\n      backslash: 'C:\\temp'\n"
                      "      newline: \"a\\nb\\tc\"\n      bell: \"\\a\"\n      unicode: \"é\"\n"),
            R"({"quote":"say \"hi\"","backslash":"C:\\temp","newline":"a\nb\tc",)"
            R"("bell":"\u0007","unicode":"é"})");
}

TEST(ScheduleArgs, ScalarsKeepTheirCoreSchemaTypes) {
  EXPECT_EQ(args_json("      int: 604800\n      negative: -5\n      hex: 0x1F\n      octal: 0o17\n"
                      "      float: 1.5\n      half: .5\n      big: 1e3\n"
                      "      yes_true: True\n      no: false\n"
                      "      tilde: ~\n      null_word: null\n      empty:\n"
                      "      quoted_number: \"42\"\n      quoted_bool: 'true'\n"
                      "      yaml11_yes: yes\n      word: hello world\n"),
            R"({"int":604800,"negative":-5,"hex":31,"octal":15,"float":1.5,"half":0.5,)"
            R"("big":1000.0,"yes_true":true,"no":false,"tilde":null,"null_word":null,)"
            R"("empty":null,"quoted_number":"42","quoted_bool":"true","yaml11_yes":"yes",)"
            R"("word":"hello world"})");
}

TEST(ScheduleArgs, MissingOrEmptyArgsAreAnEmptyObject) {
  EXPECT_EQ(args_json("      {}\n"), "{}");
  EXPECT_EQ(args_json(""), "{}");
}

TEST(ScheduleArgs, ArgsMustBeAMap) {
  EXPECT_THAT(messages(load_args("      - 1\n      - 2\n")),
              ElementsAre("config: schedule.job.args: expected a map of named arguments, "
                          "found a list"));
}

TEST(ScheduleArgs, ValuesJsonCannotHoldAreErrorsNamingTheirPath) {
  EXPECT_THAT(messages(load_args("      ratio: .inf\n      ids: [1, 99999999999999999999]\n")),
              ElementsAre("config: schedule.job.args.ratio: JSON has no infinity or NaN "
                          "(got .inf)",
                          "config: schedule.job.args.ids[1]: integer does not fit in 64 bits "
                          "(got 99999999999999999999); quote it to pass it as a string"));
}

TEST(ScheduleArgs, SelfReferencingAliasIsAnErrorNotACrash) {
  const auto result = load_args("      loop: &self [1, *self]\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].to_string(), StartsWith("config: schedule.job.args.loop[1][1]"));
  EXPECT_THAT(result.errors[0].reason, HasSubstr("does an alias refer to itself?"));
}

// --- a config as an attack: every bound holds, fast, with an error naming it ---

/// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(ConfigBounds, AnAliasBombInArgsIsAnErrorNamingItsKeyNotAnHourOfWork) {
  // 400 bytes: each level repeats the one before ten times, 10^9 values in all.
  std::string bomb = "      a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const char previous = static_cast<char>(level - 1);
    bomb += std::string("      ") + level + ": &" + level + " [";
    for (int i = 0; i < 10; ++i)
      bomb += std::string(i == 0 ? "" : ", ") + "*" + previous;
    bomb += "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto result = load_args(bomb);
  EXPECT_LT(seconds_since(start), 10.0);
  ASSERT_EQ(result.errors.size(), 1u) << result.errors.front().to_string();
  EXPECT_THAT(result.errors[0].to_string(), StartsWith("config: schedule.job.args."));
  EXPECT_THAT(result.errors[0].reason, HasSubstr("expand to more than 1 MiB of JSON"));
}

TEST(ConfigBounds, ManyQueuesAreCheckedForDuplicatesInLinearTime) {
  // Flow style keeps 100,000 queues under the 1 MiB bound.
  std::string yaml = "queues: [";
  for (int i = 0; i < 100000; ++i)
    yaml += "q" + std::to_string(i) + ", ";
  yaml += "q17]\nlimits:\n  q5: 1\n  nowhere: 1\n";
  ASSERT_LT(yaml.size(), 1024u * 1024);
  const auto start = std::chrono::steady_clock::now();
  const auto result = load_config_string(yaml);
  EXPECT_LT(seconds_since(start), 10.0);  // ~2 s under ASan; the quadratic check took 29 s (release)
  EXPECT_THAT(messages(result),
              ElementsAre("config: queues[100000]: queue \"q17\" is listed twice (also queues[17]); keep one",
                          "config: limits.nowhere: no queue named \"nowhere\" in queues"));
}

TEST(ConfigBounds, ManyKeysInAMapAreCheckedForDuplicatesInLinearTime) {
  std::string yaml = "queues: [[default, 1]]\nschedule:\n  job:\n    cron: \"* * * * *\"\n"
                     "    kind: mesh.cleanup\n    args: {";
  for (int i = 0; i < 90000; ++i)
    yaml += "k" + std::to_string(i) + ": 1, ";
  yaml += "k5: 2}\n";
  ASSERT_LT(yaml.size(), 1024u * 1024);
  const auto start = std::chrono::steady_clock::now();
  const auto result = load_config_string(yaml);
  EXPECT_LT(seconds_since(start), 10.0);  // ~2 s under ASan; the quadratic check took 29 s (release)
  EXPECT_THAT(messages(result), ElementsAre("config: schedule.job.args.k5: given twice; keep one"));
}

TEST(ConfigBounds, AFileThatNeverEndsIsReadUpToTheBoundOnly) {
  EXPECT_THAT(messages(load_config_file("/dev/zero")),
              ElementsAre("config: /dev/zero: larger than 1 MiB; a meshjobs config is a few KiB "
                          "(is this the right file?)"));
}

TEST(ConfigBounds, ATextPastTheBoundIsRefusedBeforeParsing) {
  const std::string huge(1024 * 1024 + 1, '#');
  EXPECT_THAT(messages(load_config_string(huge, "huge.yml")),
              ElementsAre(HasSubstr("config: huge.yml: larger than 1 MiB")));
}

TEST(ConfigBounds, DeepNestingNamesTheDepthAndWhere) {
  const auto result = load_config_string("queues:\n  - " + std::string(600, '[') + "\n", "deep.yml");
  EXPECT_THAT(messages(result),
              ElementsAre("config: deep.yml: nested deeper than 500 levels at line 2, column 504 (a config "
                          "needs a few levels; is this the right file?)"));
}

}  // namespace
}  // namespace meshjobs

namespace meshjobs {
namespace {

TEST(ConfigLoader, TheMeshPipelineSectionsLoadAndEachBadValueNamesItsKey) {
  const auto good = load_config_string(R"(
mesh_service:
  backend: http
  url: http://127.0.0.1:9000
  poll_interval_ms: 50
  poll_timeout: 10s
  callback_secret: s3cret
storage:
  root: /var/lib/meshjobs
  thumbnail_size: 128
notifications:
  log: false
  webhook_url: http://127.0.0.1:9001/hook
  webhook_secret: k
metrics:
  statsd: 127.0.0.1:8125
  prefix: app
http:
  port: 8080
  token: t
)");
  ASSERT_THAT(messages(good), ElementsAre());
  EXPECT_EQ(good.value.mesh_service.backend, mesh_backend::http);
  EXPECT_EQ(good.value.mesh_service.poll_interval_ms, 50);
  EXPECT_EQ(good.value.mesh_service.poll_timeout_s, 10);
  EXPECT_EQ(good.value.storage.thumbnail_size, 128);
  EXPECT_FALSE(good.value.notifications.log);
  EXPECT_EQ(good.value.metrics.statsd, "127.0.0.1:8125");
  EXPECT_EQ(good.value.http.port, 8080);

  const auto bad = load_config_string(R"(
mesh_service:
  backend: python
  url: ftp://example
  poll_interval_ms: 0
storage:
  thumbnail_size: 5
notifications:
  webhook_url: example.com/hook
metrics:
  statsd: localhost
http:
  port: 70000
  colour: red
)");
  EXPECT_THAT(messages(bad), ElementsAre(HasSubstr("mesh_service.backend"), HasSubstr("mesh_service.url: must be an http:// URL"),
                                         HasSubstr("mesh_service.poll_interval_ms"), HasSubstr("storage.thumbnail_size"),
                                         HasSubstr("notifications.webhook_url"), HasSubstr("metrics.statsd: must be host:port"),
                                         HasSubstr("http.port"), HasSubstr("http.colour")));
}

/// Sets an environment variable for one test and puts back what was there.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name))
      old_ = old;
    ::setenv(name, value, 1);
  }
  ~scoped_env() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ConfigLoader, BatchConcurrencyComesFromTheConfigAndBATCH_CONCURRENCYOverridesIt) {
  EXPECT_EQ(default_config().batch.concurrency, 5) << "the seed's default";
  auto set = load_config_string("batch:\n  concurrency: 12\n");
  ASSERT_TRUE(set.ok()) << messages(set).front();
  EXPECT_EQ(set.value.batch.concurrency, 12);
  EXPECT_THAT(messages(load_config_string("batch:\n  concurrency: 0\n")),
              ElementsAre(HasSubstr("batch.concurrency")));
  EXPECT_THAT(messages(load_config_string("batch:\n  size: 3\n")), ElementsAre(HasSubstr("batch.size")));

  auto cfg = set.value;
  {
    scoped_env env("BATCH_CONCURRENCY", "7");
    EXPECT_TRUE(apply_environment(cfg).empty());
    EXPECT_EQ(cfg.batch.concurrency, 7);
  }
  for (const char* bad : {"0", "many", "-3", "1001", ""}) {
    scoped_env env("BATCH_CONCURRENCY", bad);
    auto errors = apply_environment(cfg);
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_THAT(errors.front().to_string(), HasSubstr("BATCH_CONCURRENCY (environment): must be an integer within 1 and 1000"));
    EXPECT_EQ(cfg.batch.concurrency, 7) << "a bad value leaves the field";
  }
}

}  // namespace
}  // namespace meshjobs

namespace meshjobs {
namespace {

TEST(ConfigLoader, TheSecuritySectionLoadsAndEachBadValueNamesItsKey) {
  const auto good = load_config_string(R"(
security:
  transport: plaintext
  keys_dir: /var/lib/meshjobs/keys
  ca: /etc/meshjobs/ca.pem
  certificate: /etc/meshjobs/node.pem
  key: /etc/meshjobs/node.key
  secret: 0123456789abcdef
  handshake_timeout_ms: 2000
)");
  ASSERT_THAT(messages(good), ElementsAre());
  EXPECT_EQ(good.value.security.transport, link_transport::plaintext);
  EXPECT_EQ(good.value.security.keys_dir, "/var/lib/meshjobs/keys");
  EXPECT_EQ(good.value.security.key, "/etc/meshjobs/node.key");
  EXPECT_EQ(good.value.security.secret, "0123456789abcdef");
  EXPECT_EQ(good.value.security.handshake_timeout_ms, 2000);
  EXPECT_FALSE(good.value.security.insecure) << "only the command line allows a plaintext port off loopback";

  const auto bad = load_config_string(R"(
security:
  transport: ssl
  secret: 0123456789abcde
  handshake_timeout_ms: 50
  insecure: true
)");
  EXPECT_THAT(messages(bad),
              ElementsAre("config: security.transport: must be one of tls, plaintext (got \"ssl\")",
                          "config: security.secret: must be at least 16 characters (got 15)",
                          "config: security.handshake_timeout_ms: must be from 100 to 600000 (got 50)",
                          ::testing::StartsWith("config: security.insecure: unknown key")));

  const auto half = load_config_string("security:\n  ca: /etc/meshjobs/ca.pem\n");
  EXPECT_THAT(messages(half), ElementsAre(::testing::HasSubstr("security: ca, certificate and key go together")));
}

}  // namespace
}  // namespace meshjobs

namespace meshjobs {
namespace {

TEST(ConfigLoader, ClusterKeysLoadAndAJoinAddressMustBeHostAndPort) {
  const auto result = load_config_string(R"(
node:
  role: worker
  join: "[::1]:7600"
  cluster_host: 127.0.0.2
  cluster_port: 7601
  run_kinds: "demo.*, mesh.generation"
  heartbeat_interval_ms: 100
  connection_timeout_ms: 900
  rejoin_min_ms: 50
  rejoin_max_ms: 2000
)");
  ASSERT_THAT(messages(result), ElementsAre());
  const auto& n = result.value.node;
  EXPECT_EQ(n.join, "[::1]:7600");
  EXPECT_EQ(n.cluster_host, "127.0.0.2");
  EXPECT_EQ(n.cluster_port, 7601);
  EXPECT_EQ(n.run_kinds, "demo.*, mesh.generation");
  EXPECT_EQ(n.heartbeat_interval_ms, 100);
  EXPECT_EQ(n.connection_timeout_ms, 900);
  EXPECT_EQ(n.rejoin_min_ms, 50);
  EXPECT_EQ(n.rejoin_max_ms, 2000);
  auto parsed = join_address(n.join);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->host, "::1");
  EXPECT_EQ(parsed->port, 7600);

  for (const char* bad : {"head", "head:", ":7600", "head:0", "head:70000", "head:76x0", "::1:7600"}) {
    const auto r = load_config_string(std::string{"node:\n  join: \""} + bad + "\"\n");
    ASSERT_EQ(r.errors.size(), 1u) << bad;
    EXPECT_NE(r.errors[0].to_string().find("node.join: must be HOST:PORT"), std::string::npos)
      << r.errors[0].to_string();
  }
  const auto negative = load_config_string("node:\n  connection_timeout_ms: -1\n");
  EXPECT_EQ(negative.errors.size(), 1u);
}

}  // namespace
}  // namespace meshjobs
