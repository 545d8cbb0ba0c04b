#include "meshjobs/retry_policy.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "meshjobs/messages/time_limits.hpp"

namespace meshjobs {
namespace {

using std::chrono::milliseconds;

// 1000^4 seconds is some 31,700 years: no wait beyond it means anything, and capping keeps
// executions^4 in milliseconds far from overflowing.
constexpr std::int64_t max_exponent_base = 1000;

// A wait a custom function (or a long exponential) computes is capped, not refused: the job
// still runs, only 100 years later at most, and retry_at = now + wait cannot overflow.
constexpr milliseconds max_retry_wait{max_time_ahead_s * 1000};

/// ActiveJob's exponentially_longer: executions^4 + 2 s, plus a jitter uniform in
/// [0, 15 % of executions^4]. Whole milliseconds, so the bounds are exact.
milliseconds exponentially_longer(int executions, std::mt19937_64& rng) {
  const std::int64_t e = std::clamp<std::int64_t>(executions, 0, max_exponent_base);
  const std::int64_t polynomial_ms = e * e * e * e * 1000;
  std::uniform_int_distribution<std::int64_t> jitter_ms(0, polynomial_ms * 15 / 100);
  return milliseconds(polynomial_ms + 2000 + jitter_ms(rng));
}

/// Declaring a rule for a kind forgets earlier rules for it, so the last declaration wins
/// whether it was a retry_on or a discard_on (ActiveJob searches rescue_from handlers from the
/// last declared).
template <class Rules>
void forget_kind(Rules& rules, std::string_view kind) {
  rules.erase(std::remove_if(rules.begin(), rules.end(),
                             [&](const auto& rule) { return rule.kind == kind; }),
              rules.end());
}

template <class Rules>
const typename Rules::value_type* find_kind(const Rules& rules, std::string_view kind) {
  const auto found = std::find_if(rules.begin(), rules.end(),
                                  [&](const auto& rule) { return rule.kind == kind; });
  return found == rules.end() ? nullptr : &*found;
}

/// Running such a job again cannot fix it, so the default rule does not apply to it.
bool never_retried_by_default(std::string_view kind) {
  return kind == error_kinds::bad_args || kind == error_kinds::poison;
}

int effective_attempts(int rule_attempts, int job_max_attempts) {
  return job_max_attempts > 0 ? std::min(rule_attempts, job_max_attempts) : rule_attempts;
}

}  // namespace

wait_strategy wait_strategy::exponential() { return wait_strategy{}; }

wait_strategy wait_strategy::fixed(milliseconds d) {
  wait_strategy s;
  s.shape_ = shape::fixed;
  s.fixed_ = d;
  return s;
}

wait_strategy wait_strategy::custom(function f) {
  wait_strategy s;
  s.shape_ = shape::custom;
  s.custom_ = std::move(f);
  return s;
}

milliseconds wait_strategy::next(int executions, std::mt19937_64& rng) const {
  milliseconds wait = shape_ == shape::fixed    ? fixed_
                      : shape_ == shape::custom ? custom_(executions)
                                                : exponentially_longer(executions, rng);
  return std::clamp(wait, milliseconds{0}, max_retry_wait);
}

retry_policy& retry_policy::retry_on(std::string kind, wait_strategy wait, int attempts) {
  forget_kind(retries_, kind);
  forget_kind(discards_, kind);
  retries_.push_back({std::move(kind), std::move(wait), attempts});
  return *this;
}

retry_policy& retry_policy::discard_on(std::string kind, discard_handler handler) {
  forget_kind(retries_, kind);
  forget_kind(discards_, kind);
  discards_.push_back({std::move(kind), std::move(handler)});
  return *this;
}

retry_policy& retry_policy::otherwise(wait_strategy wait, int attempts) {
  default_ = {"", std::move(wait), attempts};
  return *this;
}

retry_policy::decision retry_policy::decide(const job& j, const job_error& e,
                                            std::mt19937_64& rng) const {
  if (const auto* discard = find_kind(discards_, e.kind)) {
    // A null pointer rather than an empty function, so callers need one check, not two.
    return {action::discard, milliseconds(0), discard->handler ? &discard->handler : nullptr};
  }
  const retry_rule* rule = find_kind(retries_, e.kind);
  if (rule == nullptr) {
    if (never_retried_by_default(e.kind)) return {action::dead};
    rule = &default_;
  }
  if (j.attempt < effective_attempts(rule->attempts, j.max_attempts))
    return {action::retry, rule->wait.next(j.attempt, rng)};
  return {action::dead};
}

}  // namespace meshjobs
