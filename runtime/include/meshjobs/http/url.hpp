// http:// URLs, split into what a connection needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace meshjobs::http {

struct url {
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";  ///< path and query, always starting with '/'

  std::string text() const;  ///< "http://host:port/target"
};

/// Parses `http://host[:port][/path][?query]`. Anything else gives an error naming the URL and
/// the reason, e.g. "url 'ftp://x/y': unsupported scheme 'ftp' (only http:// is supported)".
std::variant<url, std::string> parse_url(std::string_view text);

/// `target` resolved against `base`: an absolute http:// URL as it is, a path from `base`'s
/// host, e.g. resolve_url("http://h:1/a", "/result/7") is "http://h:1/result/7".
std::variant<url, std::string> resolve_url(const url& base, std::string_view target);

}  // namespace meshjobs::http
