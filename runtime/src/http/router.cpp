#include "http/router.hpp"

#include <stdexcept>

namespace meshjobs::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t at = 1;
  while (at <= path.size()) {
    auto end = path.find('/', at);
    if (end == std::string_view::npos)
      end = path.size();
    out.push_back(path.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

bool is_capture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void router::add(std::string method, std::string_view pattern, handler fn, route_options options) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("http route '" + std::string{pattern} + "': must start with '/'");
  if (method.empty())
    throw std::invalid_argument("http route '" + std::string{pattern} + "': empty method");
  route_entry entry{std::move(method), {}, std::move(fn), std::move(options)};
  for (auto segment : split_path(pattern)) {
    bool has_brace = segment.find_first_of("{}") != std::string_view::npos;
    if (has_brace && !is_capture(segment))
      throw std::invalid_argument("http route '" + std::string{pattern} + "': segment '" +
                                  std::string{segment} + "' is neither literal nor {name}");
    entry.segments.emplace_back(segment);
  }
  routes_.push_back(std::move(entry));
}

router::match router::find(std::string_view method, std::string_view path) const {
  match out;
  if (path.empty() || path.front() != '/')
    return out;
  const auto segments = split_path(path);
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size())
      continue;
    std::map<std::string, std::string> params;
    bool fits = true;
    for (std::size_t i = 0; fits && i < segments.size(); ++i) {
      const auto& want = r.segments[i];
      if (is_capture(want))
        fits = !segments[i].empty() &&
               params.emplace(want.substr(1, want.size() - 2), std::string{segments[i]}).second;
      else
        fits = want == segments[i];
    }
    if (!fits)
      continue;
    if (r.method == method) {
      out.result = match::outcome::found;
      out.route = &r;
      out.params = std::move(params);
      return out;
    }
    out.result = match::outcome::wrong_method;
    out.allowed += (out.allowed.empty() ? "" : ", ") + r.method;
  }
  return out;
}

}  // namespace meshjobs::http
