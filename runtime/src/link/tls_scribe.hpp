// A CAF connection (scribe) over a TLS session whose handshake and authentication are done:
// what CAF's BASP broker reads from it is the peer's decrypted bytes, nothing before. CAF's
// own stream does the buffering and the event loop; only the reads and writes go through TLS.
#pragma once

#include <caf/io/fwd.hpp>
#include <caf/io/scribe.hpp>

#include "link/openssl_handles.hpp"

namespace caf::io::network {
class default_multiplexer;
}

namespace meshjobs::link {

/// `fd` (non-blocking) carries `ssl`; the scribe owns both from now on.
caf::io::scribe_ptr make_tls_scribe(caf::io::network::default_multiplexer& mpx, int fd, ssl_ptr ssl);

}  // namespace meshjobs::link
