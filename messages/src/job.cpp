#include "meshjobs/messages/job.hpp"

#include <array>
#include <utility>

namespace meshjobs {
namespace {

constexpr std::array<std::pair<job_state, std::string_view>, 9> state_names{{
  {job_state::scheduled, "scheduled"},
  {job_state::enqueued, "enqueued"},
  {job_state::running, "running"},
  {job_state::succeeded, "succeeded"},
  {job_state::retrying, "retrying"},
  {job_state::dead, "dead"},
  {job_state::discarded, "discarded"},
  {job_state::cancelled, "cancelled"},
  {job_state::expired, "expired"},
}};

constexpr std::array<std::pair<unique_mode, std::string_view>, 4> unique_names{{
  {unique_mode::none, "none"},
  {unique_mode::until_executed, "until_executed"},
  {unique_mode::until_executing, "until_executing"},
  {unique_mode::while_executing, "while_executing"},
}};

template <class Table, class Value>
std::string_view name_of(const Table& table, Value v) {
  for (const auto& [value, name] : table)
    if (value == v)
      return name;
  return "?";
}

template <class Value, class Table>
std::optional<Value> value_of(const Table& table, std::string_view s) {
  for (const auto& [value, name] : table)
    if (name == s)
      return value;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(job_state s) { return name_of(state_names, s); }

std::optional<job_state> job_state_from_string(std::string_view s) {
  return value_of<job_state>(state_names, s);
}

bool is_final(job_state s) {
  switch (s) {
    case job_state::succeeded:
    case job_state::dead:
    case job_state::discarded:
    case job_state::cancelled:
    case job_state::expired:
      return true;
    default:
      return false;
  }
}

std::string_view to_string(unique_mode m) { return name_of(unique_names, m); }

std::optional<unique_mode> unique_mode_from_string(std::string_view s) {
  return value_of<unique_mode>(unique_names, s);
}

}  // namespace meshjobs
