// HMAC-SHA256 signatures of HTTP bodies: the mesh service signs its callbacks with the shared
// `mesh_service.callback_secret`, and meshjobs signs its webhooks with
// `notifications.webhook_secret`. The header carries "sha256=<hex>", as GitHub's webhooks do.
#pragma once

#include <string>
#include <string_view>

namespace meshjobs {

inline constexpr const char* signature_header = "X-Meshjobs-Signature";

/// "sha256=" and the lowercase hex HMAC-SHA256 of `body` under `secret`.
std::string sign_body(std::string_view secret, std::string_view body);

/// True when `header` is sign_body(secret, body); compared in constant time.
bool signature_matches(std::string_view secret, std::string_view body, std::string_view header);

}  // namespace meshjobs
