#include "http_raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace meshjobs::testing {

raw_socket::raw_socket(std::uint16_t port, std::chrono::milliseconds deadline)
  : deadline_(deadline) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    throw std::runtime_error(std::string{"raw_socket: socket: "} + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    auto reason = std::string{std::strerror(errno)};
    ::close(fd_);
    throw std::runtime_error("raw_socket: connect 127.0.0.1:" + std::to_string(port) + ": " + reason);
  }
}

raw_socket::~raw_socket() { ::close(fd_); }

void raw_socket::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      throw std::runtime_error(std::string{"raw_socket: send: "} + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
}

bool raw_socket::fill() {
  pollfd p{fd_, POLLIN, 0};
  int ready = ::poll(&p, 1, static_cast<int>(deadline_.count()));
  if (ready <= 0) {
    timed_out_ = ready == 0;
    return false;
  }
  char chunk[4096];
  auto n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0)
    return false;
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<raw_response> raw_socket::read_response() {
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos)
    if (!fill())
      return std::nullopt;
  raw_response r;
  const std::string head = buffer_.substr(0, head_end);
  auto line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  r.status = static_cast<unsigned>(std::stoul(status_line.substr(status_line.find(' ') + 1)));
  std::size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
  while (at < head.size()) {
    auto end = head.find("\r\n", at);
    if (end == std::string::npos)
      end = head.size();
    auto line = head.substr(at, end - at);
    auto colon = line.find(':');
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers.emplace_back(line.substr(0, colon), value);
    at = end + 2;
  }
  std::size_t length = std::stoul(http::find_header(r.headers, "Content-Length").value_or("0"));
  const std::size_t body_start = head_end + 4;
  while (buffer_.size() < body_start + length)
    if (!fill())
      return std::nullopt;
  r.body = buffer_.substr(body_start, length);
  buffer_.erase(0, body_start + length);
  return r;
}

bool raw_socket::await_close() {
  while (fill()) {
  }
  return !timed_out_;
}

std::string raw_request(const std::string& method, const std::string& target,
                        const std::string& body, const std::string& extra_headers) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
  if (!body.empty() || method == "POST")
    out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

}  // namespace meshjobs::testing
