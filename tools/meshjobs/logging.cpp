#include "logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "meshjobs/messages/json.hpp"

namespace meshjobs::tools {
namespace {

/// `%*`: the message as a JSON string literal, so a JSON line stays valid whatever it says.
class json_message_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    auto quoted = json::quote(std::string_view{msg.payload.data(), msg.payload.size()});
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_message_flag>();
  }
};

}  // namespace

void setup_logging(const std::string& format, const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("meshjobs");
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<json_message_flag>('*').set_pattern(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":%*})");
    logger->set_formatter(std::move(formatter));
  } else if (format == "human") {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  } else {
    throw std::invalid_argument("--log-format: must be human or json (got \"" + format + "\")");
  }
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off")
    throw std::invalid_argument("--log-level: must be trace, debug, info, warn, error or off (got \"" +
                                level + "\")");
  logger->set_level(lvl);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace meshjobs::tools
