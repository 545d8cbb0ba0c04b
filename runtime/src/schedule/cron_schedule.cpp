#include "schedule/cron_schedule.hpp"

#include <stdexcept>

namespace meshjobs {

cron_schedule::cron_schedule(const std::vector<cron_entry_config>& entries) {
  for (const auto& e : entries) {
    auto parsed = cron_expression::parse(e.cron);
    if (auto* err = std::get_if<std::string>(&parsed))
      throw std::invalid_argument("config: schedule." + e.name + ".cron: " + *err);
    entries_.push_back(entry{e, std::get<cron_expression>(std::move(parsed)), 0, 0});
  }
}

void cron_schedule::restore(std::size_t i, timestamp last_slot, timestamp now) {
  auto& e = entries_[i];
  e.last_slot = last_slot;
  e.next_slot = e.expr.next_after(last_slot == 0 ? now : last_slot);
}

std::vector<cron_schedule::firing> cron_schedule::due(timestamp now) {
  std::vector<firing> out;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    auto& e = entries_[i];
    if (e.next_slot == 0 || e.next_slot > now)
      continue;
    auto slot = latest_slot_between(e.expr, e.last_slot, now);
    out.push_back(firing{i, slot});
    e.last_slot = slot;
    e.next_slot = e.expr.next_after(slot);
  }
  return out;
}

timestamp cron_schedule::earliest() const {
  timestamp best = 0;
  for (const auto& e : entries_)
    if (e.next_slot != 0 && (best == 0 || e.next_slot < best))
      best = e.next_slot;
  return best;
}

timestamp latest_slot_between(const cron_expression& expr, timestamp after, timestamp now) {
  auto slot = expr.next_after(after);
  if (slot == 0 || slot > now)
    return 0;
  // After a long downtime only the latest slot matters: jump to the last day before walking.
  constexpr timestamp day = 86400LL * 1000000;
  if (now - slot > day) {
    auto recent = expr.next_after(now - day);
    if (recent != 0 && recent <= now)
      slot = recent;
  }
  for (auto next = expr.next_after(slot); next != 0 && next <= now; next = expr.next_after(next))
    slot = next;
  return slot;
}

}  // namespace meshjobs
