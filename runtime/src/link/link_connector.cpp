#include "link/link_connector.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/network/default_multiplexer.hpp>

#include <unistd.h>

#include <stdexcept>

#include "link/link_handshake.hpp"
#include "link/socket_address.hpp"
#include "link/tls_scribe.hpp"

namespace meshjobs::link {

remote_actor connect_link(caf::actor_system& sys, const std::string& host, std::uint16_t port,
                          const link_credentials& credentials, std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + timeout;
  const auto address = address_text(host, port);
  const int fd = connect_to(host, port, deadline);
  ssl_ptr ssl;
  try {
    if (credentials.tls) {
      ssl.reset(SSL_new(credentials.tls.get()));
      if (!ssl || SSL_set_fd(ssl.get(), fd) != 1)
        throw handshake_failure{"cannot start a TLS session: " + openssl_error_text()};
    }
    authenticate_as_client(fd, ssl.get(), credentials.secret, deadline);
  } catch (const handshake_deadline_passed& e) {
    ssl.reset();
    close(fd);
    throw link_timeout(address + ": " + e.what());
  } catch (const handshake_failure& e) {
    ssl.reset();
    close(fd);
    throw std::runtime_error(address + ": " + e.what());
  }
  auto& mpx = static_cast<caf::io::network::default_multiplexer&>(sys.middleman().backend());
  auto scribe = ssl ? make_tls_scribe(mpx, fd, std::move(ssl)) : mpx.new_scribe(fd);
  auto basp = sys.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  remote_actor out;
  std::string failure;
  bool timed_out = false;
  caf::scoped_actor self{sys};
  self->request(basp, std::max(left, std::chrono::milliseconds{1}), caf::connect_atom::value, std::move(scribe), port)
    .receive(
      [&](caf::node_id&, caf::strong_actor_ptr& actor, std::set<std::string>& interface) {
        out.actor = std::move(actor);
        out.interface = std::move(interface);
      },
      [&](caf::error& e) {
        timed_out = e == caf::sec::request_timeout;
        failure = timed_out ? "no BASP handshake in time" : sys.render(e);
      });
  if (timed_out)
    throw link_timeout(address + ": " + failure);
  if (!failure.empty())
    throw std::runtime_error(address + ": " + failure);
  return out;
}

}  // namespace meshjobs::link
