#include "meshjobs/http/url.hpp"

#include <cctype>
#include <charconv>

namespace meshjobs::http {
namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string url::text() const {
  bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + target;
}

std::variant<url, std::string> parse_url(std::string_view text) {
  const std::string named = "url '" + std::string{text} + "': ";
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos)
    return named + "not an absolute URL (expected http://host[:port]/path)";
  auto scheme = lower(text.substr(0, scheme_end));
  if (scheme != "http")
    return named + "unsupported scheme '" + scheme + "' (only http:// is supported)";
  auto rest = text.substr(scheme_end + 3);
  auto authority_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, authority_end);
  url out;
  if (authority_end != std::string_view::npos)
    out.target = std::string{rest.substr(authority_end)};
  if (auto fragment = out.target.find('#'); fragment != std::string::npos)
    out.target.erase(fragment);
  if (out.target.empty() || out.target.front() != '/')
    out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos)
    return named + "credentials in URLs are not supported";

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return named + "unclosed '[' in the host";
    out.host = std::string{authority.substr(1, close - 1)};
    auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':')
      return named + "unexpected text after the host";
    port_text = after.empty() ? after : after.substr(1);
  } else {
    auto colon = authority.find(':');
    out.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos)
      port_text = authority.substr(colon + 1);
  }
  if (out.host.empty())
    return named + "no host";
  for (char c : out.host)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '\\')
      return named + "invalid character in the host";
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return named + "invalid port '" + std::string{port_text} + "' (1-65535)";
    out.port = static_cast<std::uint16_t>(port);
  }
  for (char c : out.target)
    if (static_cast<unsigned char>(c) <= ' ')
      return named + "spaces or control characters in the path (percent-encode them)";
  return out;
}

std::variant<url, std::string> resolve_url(const url& base, std::string_view target) {
  if (target.find("://") != std::string_view::npos)
    return parse_url(target);
  if (target.empty() || target.front() != '/')
    return "url '" + std::string{target} + "': neither an absolute http:// URL nor a path";
  const url origin{base.host, base.port, ""};
  return parse_url(origin.text() + std::string{target});
}

}  // namespace meshjobs::http
