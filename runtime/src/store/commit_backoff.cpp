#include "store/commit_backoff.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace meshjobs {

std::chrono::milliseconds commit_backoff::failed(const std::string& error, clock::time_point now) {
  error_ = error.empty() ? "unknown error" : error;
  ++failures_;
  ++in_a_row_;
  ++unreported_;
  const auto wait = next_wait_;
  next_wait_ = std::min(next_wait_ * 2, max_wait);
  if (in_a_row_ == 1) {
    spdlog::error("store: commit failed: {}; the store is unhealthy until a commit succeeds "
                  "(next try in {} ms)", error_, wait.count());
  } else if (now - last_line_ >= log_interval) {
    spdlog::error("store: {} more commits failed since the last report, {} in a row: {} "
                  "(next try in {} ms)", unreported_, in_a_row_, error_, wait.count());
  } else {
    return wait;
  }
  unreported_ = 0;
  last_line_ = now;
  return wait;
}

void commit_backoff::succeeded() {
  if (!healthy())
    spdlog::info("store: a commit succeeded after {} failed in a row; the store is healthy",
                 in_a_row_);
  error_.clear();
  next_wait_ = first_wait;
  in_a_row_ = 0;
  unreported_ = 0;
}

}  // namespace meshjobs
