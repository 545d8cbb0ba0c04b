#include "signal_command.hpp"

#include "exit_codes.hpp"
#include "output.hpp"

namespace meshjobs::inject {

int report_signal(const signal_command& cmd, signal_status status) {
  auto id = "job " + std::to_string(cmd.id);
  switch (status) {
    case signal_status::delivered:
      print_line(status_json(cmd.id, to_string(status)));
      return exit_ok;
    case signal_status::not_running:
      print_error(id + ": not running (waiting for its turn, or already ended); signal not delivered");
      return exit_refused;
    case signal_status::not_found:
      print_error(id + ": not found");
      return exit_refused;
    case signal_status::refused:
      print_error(id + ": the node refused the payload: it must be a JSON object");
      return exit_refused;
  }
  return exit_refused;
}

}  // namespace meshjobs::inject
