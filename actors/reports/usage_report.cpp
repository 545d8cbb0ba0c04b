// reports.usage_report (the seed's Reports::UsageReportJob): meshes per project and user over
// one month, with their success rate and durations, as CSV and JSON in `reports/` under the
// storage root. {"month": "YYYY-MM"}; without it, the month before the job's run (the
// schedule runs it on the 1st).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>

#include "pipeline_types.hpp"

namespace meshjobs {
namespace {

struct month_span {
  std::string name;  ///< YYYY-MM
  timestamp from = 0;
  timestamp to = 0;
};

timestamp utc_micros(int year, int month) {
  std::tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = 1;
  return static_cast<timestamp>(timegm(&t)) * 1000000;
}

month_span span_of(int year, int month) {
  char name[8];
  std::snprintf(name, sizeof name, "%04d-%02d", year, month);
  const int next_year = month == 12 ? year + 1 : year;
  const int next_month = month == 12 ? 1 : month + 1;
  return {name, utc_micros(year, month), utc_micros(next_year, next_month)};
}

month_span month_of(const json::object& args, timestamp now) {
  if (auto text = args.get_string("month")) {
    int year = 0, month = 0;
    char tail = 0;
    if (std::sscanf(text->c_str(), "%4d-%2d%c", &year, &month, &tail) != 2 || month < 1 || month > 12 ||
        year < 1970 || year > 9999)
      throw job_failure(deserialization_error, "args.month: must be YYYY-MM (got \"" + *text + "\")");
    return span_of(year, month);
  }
  const std::time_t seconds = static_cast<std::time_t>(now / 1000000);
  std::tm t{};
  gmtime_r(&seconds, &t);
  const int year = t.tm_year + 1900, month = t.tm_mon + 1;
  return month == 1 ? span_of(year - 1, 12) : span_of(year, month - 1);
}

struct usage {
  std::int64_t meshes = 0;
  std::int64_t completed = 0;
  std::int64_t failed = 0;
  std::vector<std::int64_t> durations_ms;

  double success_rate() const {
    const auto ended = completed + failed;
    return ended == 0 ? 0.0 : static_cast<double>(completed) / static_cast<double>(ended);
  }
  std::int64_t median_ms() {
    if (durations_ms.empty())
      return 0;
    std::nth_element(durations_ms.begin(), durations_ms.begin() + durations_ms.size() / 2, durations_ms.end());
    return durations_ms[durations_ms.size() / 2];
  }
};

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string{"\"\""} : std::string(1, c);
  return out + "\"";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  const auto temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush())
      throw job_failure("io_error", "report " + temp + ": cannot write");
  }
  std::filesystem::rename(temp, path);
}

}  // namespace

job_type usage_report_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "reports.usage_report";
  t.queue = "low_priority";
  t.retry.discard_on(deserialization_error).otherwise(wait_strategy::exponential(), 3);
  t.perform = [p](job_context& ctx) {
    const auto span = month_of(parse_job_args(ctx.args()), p->rt().clock().now());
    std::map<std::pair<std::string, std::string>, usage> rows;
    for (const auto& m : p->records().created_between(span.from, span.to)) {
      auto& u = rows[{m.project, m.user}];
      u.meshes += 1;
      if (m.status == mesh::status::completed) {
        u.completed += 1;
        u.durations_ms.push_back(m.duration_ms);
      } else if (m.status == mesh::status::failed) {
        u.failed += 1;
      }
    }
    std::string csv = "month,project,user,meshes,completed,failed,success_rate,median_duration_ms\n";
    json::writer w;
    w.begin_object().key("month").value(span.name).key("rows").begin_array();
    for (auto& [key, u] : rows) {
      const auto median = u.median_ms();
      char rate[16];
      std::snprintf(rate, sizeof rate, "%.4f", u.success_rate());
      csv += span.name + "," + csv_field(key.first) + "," + csv_field(key.second) + "," + std::to_string(u.meshes) +
             "," + std::to_string(u.completed) + "," + std::to_string(u.failed) + "," + rate + "," +
             std::to_string(median) + "\n";
      w.begin_object().key("project").value(key.first).key("user").value(key.second).key("meshes").value(u.meshes)
        .key("completed").value(u.completed).key("failed").value(u.failed)
        .key("success_rate").value(u.success_rate()).key("median_duration_ms").value(median).end_object();
    }
    w.end_array().end_object();
    const auto dir = std::filesystem::path(p->cfg().storage.root) / "reports";
    std::filesystem::create_directories(dir);
    write_file(dir / ("usage-" + span.name + ".csv"), csv);
    write_file(dir / ("usage-" + span.name + ".json"), w.str());
    spdlog::info("usage report {}: {} project/user rows in {}", span.name, rows.size(), dir.string());
  };
  return t;
}

}  // namespace meshjobs
