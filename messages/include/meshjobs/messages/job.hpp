// The job envelope: what the runtime knows about one job, from enqueue to its end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshjobs {

using job_id = std::uint64_t;

/// Microseconds since the Unix epoch, UTC. 0 means "not set".
using timestamp = std::int64_t;

enum class job_state : std::uint8_t {
  scheduled,  ///< waiting for its time (`wait` / `at`)
  enqueued,   ///< in its queue, ready to run
  running,    ///< an execution holds it
  succeeded,
  retrying,   ///< failed, another attempt is scheduled
  dead,       ///< attempts exhausted or poison; kept in the dead set
  discarded,  ///< a discard_on rule matched
  cancelled,
  expired,    ///< not started before its deadline
};

std::string_view to_string(job_state s);
std::optional<job_state> job_state_from_string(std::string_view s);

/// True for states a job never leaves.
bool is_final(job_state s);

/// Why an execution failed. `kind` is matched by retry_on / discard_on rules.
struct job_error {
  std::string kind;     ///< e.g. "timeout", "service_error", "crashed"
  std::string message;  ///< human text
  std::string where;    ///< node / execution that saw it

  bool empty() const { return kind.empty(); }
  friend bool operator==(const job_error& a, const job_error& b) {
    return a.kind == b.kind && a.message == b.message && a.where == b.where;
  }
};

/// Error kinds the runtime itself produces.
namespace error_kinds {
inline constexpr std::string_view timeout = "timeout";
inline constexpr std::string_view crashed = "crashed";          // handler threw something unknown
inline constexpr std::string_view unknown_kind = "unknown_kind";
inline constexpr std::string_view bad_args = "bad_args";        // arguments failed to decode
inline constexpr std::string_view poison = "poison";            // recovered too often after crashes
inline constexpr std::string_view cancelled = "cancelled";
inline constexpr std::string_view shutdown = "shutdown";
}  // namespace error_kinds

/// How a duplicate is detected and for how long the lock is held.
enum class unique_mode : std::uint8_t {
  none,
  until_executed,   ///< from enqueue until the job ends
  until_executing,  ///< from enqueue until the job starts
  while_executing,  ///< only while it runs; a duplicate waits its turn
};
enum class unique_conflict : std::uint8_t { log, reject };

std::string_view to_string(unique_mode m);
std::optional<unique_mode> unique_mode_from_string(std::string_view s);

struct job {
  job_id id = 0;
  std::string kind;        ///< job type, e.g. "mesh.generation"
  std::string queue;
  std::string args = "{}";  ///< JSON object text
  std::int32_t priority = 0;       ///< higher runs first within a queue
  std::int32_t attempt = 0;        ///< executions started so far
  std::int32_t max_attempts = 0;   ///< 0: the job type's strategy decides
  std::int32_t recoveries = 0;     ///< times requeued after its node died mid-run
  job_state state = job_state::enqueued;
  unique_mode unique = unique_mode::none;
  std::string unique_key;
  timestamp enqueued_at = 0;
  timestamp run_at = 0;      ///< when a scheduled / retrying job becomes due
  timestamp started_at = 0;
  timestamp finished_at = 0;
  timestamp expires_at = 0;  ///< 0: never
  job_error last_error;
  /// The latest progress its running execution reported (0-100) and its message. Kept by the
  /// coordinator in memory: a job restarted after a crash reports afresh.
  std::int32_t progress = 0;
  std::string progress_message;
  /// Which handing-out this copy is (set by the coordinator at dispatch, never stored): the
  /// outcome names it, so an outcome of an earlier run of the same job is told apart.
  std::uint64_t run = 0;
};

}  // namespace meshjobs
