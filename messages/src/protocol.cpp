#include "meshjobs/messages/protocol.hpp"

namespace meshjobs {

std::string_view to_string(enqueue_status s) {
  switch (s) {
    case enqueue_status::enqueued:
      return "enqueued";
    case enqueue_status::scheduled:
      return "scheduled";
    case enqueue_status::duplicate:
      return "duplicate";
    case enqueue_status::refused:
      return "refused";
    case enqueue_status::replayed:
      return "replayed";
  }
  return "?";
}

std::string_view to_string(cancel_status s) {
  switch (s) {
    case cancel_status::cancelled:
      return "cancelled";
    case cancel_status::stopping:
      return "stopping";
    case cancel_status::not_found:
      return "not_found";
    case cancel_status::finished:
      return "finished";
  }
  return "?";
}

std::string_view to_string(signal_status s) {
  switch (s) {
    case signal_status::delivered:
      return "delivered";
    case signal_status::not_running:
      return "not_running";
    case signal_status::not_found:
      return "not_found";
    case signal_status::refused:
      return "refused";
  }
  return "?";
}

}  // namespace meshjobs
