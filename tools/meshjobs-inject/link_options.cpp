#include "link_options.hpp"

#include <stdexcept>

#include "meshjobs/config/loader.hpp"

namespace meshjobs::inject {
namespace {

/// The option that chose a file, for errors: the user fixes what they typed.
void name_origins(const link_options& o, link::credential_sources& s) {
  const std::string keys = o.keys_dir.empty() ? "--keys (default ./meshjobs-keys; or give --config NODE.yml)"
                                              : "--keys";
  if (o.config_path.empty()) {
    for (auto* f : {&s.ca, &s.certificate, &s.key, &s.secret_file})
      f->origin = keys;
  }
  if (!o.ca.empty()) {
    s.generated_identity = false;
    s.ca = {o.ca, "--ca"};
    s.certificate = {o.cert, "--cert"};
    s.key = {o.key, "--key"};
  }
  if (!o.secret_file.empty()) {
    s.secret.clear();
    s.secret_file = {o.secret_file, "--secret-file"};
  }
}

}  // namespace

std::variant<link::link_credentials, credentials_error> load_link_credentials(const link_options& o) {
  config cfg;
  if (!o.config_path.empty()) {
    auto loaded = load_config_file(o.config_path);
    if (!loaded.ok()) {
      std::string message = "--config: " + o.config_path + " does not load:";
      for (const auto& e : loaded.errors)
        message += " " + e.to_string() + ";";
      return credentials_error{message};
    }
    cfg = std::move(loaded.value);
  }
  if (!o.keys_dir.empty())
    cfg.security.keys_dir = o.keys_dir;
  if (o.plaintext)
    cfg.security.transport = link_transport::plaintext;
  try {
    auto sources = link::sources_from(cfg);
    name_origins(o, sources);
    return link::load_credentials(sources);
  } catch (const std::invalid_argument& e) {
    return credentials_error{e.what()};
  }
}

}  // namespace meshjobs::inject
