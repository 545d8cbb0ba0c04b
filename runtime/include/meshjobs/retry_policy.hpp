// A job type's retry strategy, declared as the seed declares it:
//   retry_on(kind, wait, attempts), discard_on(kind, handler), and a default for other kinds.
//
// `attempts` counts executions in total: retry_on("service_error", exponential(), 3) runs a job
// at most 3 times. Waits:
//   exponential  ActiveJob's exponentially_longer: executions^4 + 2 s, plus up to 15 % jitter
//                of executions^4 (executions = the number of the execution that just failed)
//   fixed(d)     always d
//   custom(f)    f(executions)
// Exhausted -> dead. A kind with no rule uses the default (Sidekiq's: exponential, 25 attempts).
// `bad_args` and `poison` never retry unless a rule names them: running again cannot fix them.
// When several retry_on / discard_on rules name the same kind, the last declared wins, as with
// ActiveJob's rescue_from.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class wait_strategy {
 public:
  using function = std::function<std::chrono::milliseconds(int executions)>;

  static wait_strategy exponential();
  static wait_strategy fixed(std::chrono::milliseconds d);
  static wait_strategy custom(function f);

  /// The wait after execution number `executions` (1-based) failed, from 0 to 100 years.
  std::chrono::milliseconds next(int executions, std::mt19937_64& rng) const;

 private:
  enum class shape { exponential, fixed, custom };
  shape shape_ = shape::exponential;
  std::chrono::milliseconds fixed_{0};
  function custom_;
};

class retry_policy {
 public:
  using discard_handler = std::function<void(const job&, const job_error&)>;

  retry_policy& retry_on(std::string kind, wait_strategy wait, int attempts);
  retry_policy& discard_on(std::string kind, discard_handler handler = {});
  /// The rule for kinds no other rule names.
  retry_policy& otherwise(wait_strategy wait, int attempts);

  enum class action { retry, discard, dead };
  struct decision {
    action what = action::dead;
    std::chrono::milliseconds wait{0};  ///< for retry
    const discard_handler* on_discard = nullptr;  ///< for discard, may be null
  };

  /// What to do after execution number `j.attempt` failed with `e`. A non-zero
  /// `j.max_attempts` caps the attempts of whichever rule applies.
  decision decide(const job& j, const job_error& e, std::mt19937_64& rng) const;

 private:
  struct retry_rule {
    std::string kind;
    wait_strategy wait;
    int attempts;
  };
  struct discard_rule {
    std::string kind;
    discard_handler handler;
  };
  std::vector<retry_rule> retries_;
  std::vector<discard_rule> discards_;
  retry_rule default_{"", wait_strategy::exponential(), 25};
};

}  // namespace meshjobs
