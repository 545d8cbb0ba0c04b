#include "store/finished_jobs.hpp"

#include <algorithm>
#include <limits>

#include "meshjobs/messages/json.hpp"

namespace meshjobs {
namespace {

constexpr timestamp us_per_s = 1000000;

// A cut inside a UTF-8 sequence would leave a broken character: back up to its start.
std::size_t utf8_cut(std::string_view text, std::size_t at) {
  while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80)
    --at;
  return at;
}

}  // namespace

finished_jobs::finished_jobs(std::int64_t max_jobs, std::int64_t max_age_s)
  : max_jobs_(static_cast<std::size_t>(std::max<std::int64_t>(max_jobs, 0))),
    max_age_us_(std::min(std::max<std::int64_t>(max_age_s, 0),
                         std::numeric_limits<timestamp>::max() / us_per_s) * us_per_s) {}

std::string finished_jobs::truncated_args(std::string_view args) {
  std::string_view head = args.substr(0, utf8_cut(args, max_args_bytes));
  return "{\"truncated_args\": {\"bytes\": " + std::to_string(args.size())
         + ", \"head\": " + json::quote(head) + "}}";
}

void finished_jobs::sort() { std::sort(order_.begin(), order_.end()); }

std::optional<job_id> finished_jobs::pop_due(std::size_t kept, timestamp now) {
  if (order_.empty())
    return std::nullopt;
  const auto [finished_at, id] = order_.front();
  const bool too_many = kept > max_jobs_;
  const bool too_old = now > 0 && finished_at < now - max_age_us_;
  if (!too_many && !too_old)
    return std::nullopt;
  order_.pop_front();
  return id;
}

}  // namespace meshjobs
