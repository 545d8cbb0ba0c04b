#include "output.hpp"

#include <cstdio>

#include "meshjobs/messages/json.hpp"

namespace meshjobs::inject {

std::string status_json(job_id id, std::string_view status) {
  json::writer w;
  w.begin_object().key("id").value(id).key("status").value(status).end_object();
  return w.take();
}

void print_line(const std::string& json) {
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
}

void print_next_page(job_id before) {
  json::writer w;
  w.begin_object().key("next_page").begin_object().key("before").value(before).end_object().end_object();
  std::fprintf(stderr, "%s\n", w.str().c_str());
}

void print_error(std::string_view message) {
  json::writer w;
  w.begin_object().key("error").value(message).end_object();
  std::fprintf(stderr, "%s\n", w.str().c_str());
}

}  // namespace meshjobs::inject
