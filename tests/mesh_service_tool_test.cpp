// meshjobs-mesher as a real process on loopback: the protocol (health, generate, status,
// result, the .glb), callbacks in order, bad requests named, images from paths, file:// and
// http://, and the faults injected by flags and per request.
#include <gtest/gtest.h>

#include <condition_variable>
#include <csignal>
#include <mutex>

#include "http_sync_call.hpp"
#include "mesh/mesher/mesher.hpp"
#include "mesh_service_process.hpp"
#include "meshjobs/http/http_server.hpp"
#include "meshjobs/messages/json.hpp"
#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

json::object parse(const std::string& body) {
  auto parsed = json::object::parse(body, "answer");
  if (auto* e = std::get_if<json::parse_error>(&parsed))
    throw std::runtime_error(e->message + ": " + body);
  return std::get<json::object>(std::move(parsed));
}

std::string generate_body(const std::string& job_id, const std::string& image,
                          const std::string& parameters = R"({"detail_factor":0.01})",
                          const std::string& callback_url = "") {
  json::writer w;
  w.begin_object().key("job_id").value(job_id).key("image_url").value(image).key("parameters").raw(parameters);
  if (!callback_url.empty())
    w.key("callback_url").value(callback_url);
  return w.end_object().take();
}

/// Callbacks a test receives, on its own HTTP server.
class callback_listener {
 public:
  callback_listener() {
    server_.route("POST", "/callbacks/{job_id}", [this](http::request req, http::responder respond) {
      {
        std::lock_guard<std::mutex> guard{mutex_};
        bodies_.push_back(req.body);
      }
      changed_.notify_all();
      respond(http::response::json(200, "{}"));
    });
    port_ = server_.start();
  }
  std::string url(const std::string& job_id) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/callbacks/" + job_id;
  }
  /// Waits until `count` callbacks came; returns them all.
  std::vector<std::string> await(std::size_t count) {
    std::unique_lock<std::mutex> guard{mutex_};
    changed_.wait_for(guard, std::chrono::seconds{20}, [&] { return bodies_.size() >= count; });
    return bodies_;
  }

 private:
  http::server server_{http::server_options{}};
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> bodies_;
};

class MeshServiceTool : public ::testing::Test {
 protected:
  /// Polls status until the job leaves "processing"; its last status.
  json::object await_end(mesher_process& m, const std::string& job_id) {
    std::string last;
    eventually([&] {
      last = sync_ok(client_, "GET", m.url("/status/" + job_id)).body;
      return last.find(R"("status":"processing")") == std::string::npos;
    }, std::chrono::seconds{20}, std::chrono::milliseconds{10});
    return parse(last);
  }

  temp_dir dir_;
  http::client client_;
};

TEST_F(MeshServiceTool, GeneratesByPollingAndServesTheResultAndTheGlb) {
  mesher_process m{dir_};
  auto health = sync_ok(client_, "GET", m.url("/health"));
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(parse(health.body).get_string("status"), "ok");

  auto image = write_sample_png(dir_, "hills.png", 64, 48);
  auto started = sync_ok(client_, "POST", m.url("/generate"), generate_body("job-1", image));
  EXPECT_EQ(started.status, 202u) << started.body;
  EXPECT_EQ(parse(started.body).get_string("status"), "processing");

  auto status = await_end(m, "job-1");
  ASSERT_EQ(status.get_string("status"), "completed") << m.log();
  EXPECT_EQ(status.get_int("progress"), 100);
  auto result_url = status.get_string("result_url").value_or("");
  EXPECT_EQ(result_url, m.url("/result/job-1"));

  auto result = parse(sync_ok(client_, "GET", result_url).body);
  auto vertices = result.get_int("vertex_count").value_or(0);
  auto triangles = result.get_int("triangle_count").value_or(0);
  EXPECT_GT(vertices, 3);
  EXPECT_GT(triangles, 1);
  auto glb = sync_ok(client_, "GET", result.get_string("mesh_url").value_or(""));
  EXPECT_EQ(http::find_header(glb.headers, "Content-Type"), "model/gltf-binary");
  auto mesh = mesher::decode_glb(glb.body, "mesh.glb");
  EXPECT_EQ(static_cast<std::int64_t>(mesh.vertex_count()), vertices);
  EXPECT_EQ(static_cast<std::int64_t>(mesh.triangle_count()), triangles);

  // The same job id again is the same generation, not a second one.
  auto again = sync_ok(client_, "POST", m.url("/generate"), generate_body("job-1", image));
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(parse(again.body).get_string("status"), "completed");
}

TEST_F(MeshServiceTool, WaitAnswersGenerateWithTheCompletedResult) {
  mesher_process m{dir_};
  auto image = write_sample_png(dir_, "a.png", 32, 32);
  auto r = sync_ok(client_, "POST", m.url("/generate"),
                   generate_body("w1", "file://" + image, R"({"wait":true})"));
  auto body = parse(r.body);
  EXPECT_EQ(body.get_string("status"), "completed") << r.body;
  EXPECT_GT(body.get_int("triangle_count").value_or(0), 1);
  EXPECT_TRUE(body.get_string("mesh_url"));
}

TEST_F(MeshServiceTool, CallbacksReportEachStepInOrderAndTheEnd) {
  mesher_process m{dir_};
  callback_listener callbacks;
  auto image = write_sample_png(dir_, "a.png", 32, 32);
  sync_ok(client_, "POST", m.url("/generate"), generate_body("cb1", image, "{}", callbacks.url("cb1")));
  auto bodies = callbacks.await(5);
  ASSERT_GE(bodies.size(), 5u) << m.log();
  std::int64_t previous = -1;
  for (const auto& b : bodies) {
    auto o = parse(b);
    EXPECT_EQ(o.get_string("job_id"), "cb1");
    EXPECT_TRUE(o.get_string("message"));
    EXPECT_GT(o.get_int("progress").value_or(-1), previous) << b;
    previous = o.get_int("progress").value_or(-1);
  }
  auto last = parse(bodies.back());
  EXPECT_EQ(last.get_string("status"), "completed");
  EXPECT_EQ(last.get_int("progress"), 100);
}

TEST_F(MeshServiceTool, ACallbackTwiceOrNeverOnRequest) {
  mesher_process m{dir_};
  callback_listener callbacks;
  auto image = write_sample_png(dir_, "a.png", 32, 32);
  sync_ok(client_, "POST", m.url("/generate"),
          generate_body("never", image, R"({"faults":{"callback":"never"}})", callbacks.url("never")));
  sync_ok(client_, "POST", m.url("/generate"),
          generate_body("twice", image, R"({"faults":{"callback":"twice"}})", callbacks.url("twice")));
  ASSERT_EQ(await_end(m, "never").get_string("status"), "completed");
  // "twice" sends its five steps and its last one again; "never" sends nothing.
  auto bodies = callbacks.await(6);
  ASSERT_EQ(await_end(m, "twice").get_string("status"), "completed");
  ASSERT_EQ(bodies.size(), 6u);
  for (const auto& b : bodies)
    EXPECT_EQ(parse(b).get_string("job_id"), "twice");
  EXPECT_EQ(bodies[4], bodies[5]);
  EXPECT_NE(bodies[5].find(R"("status":"completed")"), std::string::npos);
}

TEST_F(MeshServiceTool, BadRequestsAreRefusedNamingTheMember) {
  mesher_process m{dir_};
  auto refused = [&](const std::string& body) {
    auto r = sync_ok(client_, "POST", m.url("/generate"), body);
    EXPECT_EQ(r.status, 400u) << body;
    return parse(r.body).get_string("detail").value_or("");
  };
  EXPECT_NE(refused(R"({"job_id":"x"})").find("image_url"), std::string::npos);
  EXPECT_NE(refused(R"({"image_url":"/a.png","job_id":"a/b"})").find("job_id"), std::string::npos);
  EXPECT_NE(refused(generate_body("x", "/a.png", R"({"detail_factor":2})")).find("detail_factor"),
            std::string::npos);
  EXPECT_NE(refused(generate_body("x", "/a.png", R"({"faults":{"explode":true}})")).find("explode"),
            std::string::npos);
  EXPECT_NE(refused("not json").find("not valid JSON"), std::string::npos);
  EXPECT_EQ(sync_ok(client_, "GET", m.url("/status/nobody")).status, 404u);
}

TEST_F(MeshServiceTool, AnUnreadableOrOversizedImageFailsTheJobNamingIt) {
  mesher_process m{dir_, {"--max-pixels", "1000"}};
  sync_ok(client_, "POST", m.url("/generate"), generate_body("missing", dir_.file("nothing.png")));
  auto missing = await_end(m, "missing");
  EXPECT_EQ(missing.get_string("status"), "failed");
  EXPECT_NE(missing.get_string("message").value_or("").find("nothing.png"), std::string::npos);

  auto big = write_sample_png(dir_, "big.png", 64, 64);
  sync_ok(client_, "POST", m.url("/generate"), generate_body("big", big));
  auto too_large = await_end(m, "big");
  EXPECT_EQ(too_large.get_string("status"), "failed");
  EXPECT_NE(too_large.get_string("message").value_or("").find("image_too_large"), std::string::npos)
      << too_large.get_string("message").value_or("");
}

TEST_F(MeshServiceTool, FetchesAnHttpImage) {
  mesher_process m{dir_};
  auto png = read_file(write_sample_png(dir_, "a.png", 40, 30));
  http::server images{http::server_options{}};
  images.route("GET", "/images/a.png", [&png](http::request, http::responder respond) {
    http::response r;
    r.content_type = "image/png";
    r.body = png;
    respond(std::move(r));
  });
  auto port = images.start();
  auto url = "http://127.0.0.1:" + std::to_string(port) + "/images/a.png";
  auto r = sync_ok(client_, "POST", m.url("/generate"), generate_body("h1", url, R"({"wait":true})"));
  EXPECT_EQ(parse(r.body).get_string("status"), "completed") << r.body;

  auto missing = url + ".gone";
  auto failed = sync_ok(client_, "POST", m.url("/generate"), generate_body("h2", missing, R"({"wait":true})"));
  EXPECT_NE(failed.body.find("image_not_found"), std::string::npos) << failed.body;
}

TEST_F(MeshServiceTool, FlagsInjectFaultsForEveryRequest) {
  mesher_process m{dir_, {"--error-500", "status", "--malformed", "generate", "--failure-rate", "1",
                          "--hang", "health"}};
  auto image = write_sample_png(dir_, "a.png", 32, 32);
  auto malformed = sync_ok(client_, "POST", m.url("/generate"), generate_body("f1", image));
  EXPECT_EQ(malformed.status, 200u);
  EXPECT_TRUE(std::holds_alternative<json::parse_error>(json::object::parse(malformed.body)));

  auto status = sync_call(client_, "GET", m.url("/status/f1"));
  ASSERT_TRUE(std::holds_alternative<http::client_error>(status));
  EXPECT_EQ(std::get<http::client_error>(status).status, 500u);

  http::call_options quick;
  quick.timeout = std::chrono::milliseconds{300};
  auto health = sync_call(client_, "GET", m.url("/health"), "", quick);
  ASSERT_TRUE(std::holds_alternative<http::client_error>(health));
  EXPECT_EQ(std::get<http::client_error>(health).kind, http::error_kind::read_timeout);

  auto waited = sync_ok(client_, "POST", m.url("/generate"),
                        generate_body("f2", image, R"({"wait":true,"faults":{"malformed":""}})"));
  auto failed = parse(waited.body);
  EXPECT_EQ(failed.get_string("status"), "failed");
  EXPECT_NE(failed.get_string("message").value_or("").find("injected failure"), std::string::npos);
}

TEST_F(MeshServiceTool, LatencyDelaysAnswersAndAFullQueueAnswers503Busy) {
  mesher_process m{dir_, {"--queue", "1", "--latency-ms", "400"}};
  // The image server holds its answer: the first generation stays in the queue's one place.
  std::mutex held_mutex;
  std::vector<http::responder> held;
  http::server images{http::server_options{}};
  images.route("GET", "/slow.png", [&](http::request, http::responder respond) {
    std::lock_guard<std::mutex> guard{held_mutex};
    held.push_back(std::move(respond));
  });
  auto slow = "http://127.0.0.1:" + std::to_string(images.start()) + "/slow.png";

  http::call_options quick;
  quick.timeout = std::chrono::milliseconds{150};
  auto late = sync_call(client_, "POST", m.url("/generate"), generate_body("first", slow), quick);
  ASSERT_TRUE(std::holds_alternative<http::client_error>(late));
  EXPECT_EQ(std::get<http::client_error>(late).kind, http::error_kind::read_timeout);

  auto busy = sync_call(client_, "POST", m.url("/generate"),
                        generate_body("second", slow, R"({"faults":{"latency_ms":0}})"));
  ASSERT_TRUE(std::holds_alternative<http::client_error>(busy)) << "a second generation was taken";
  const auto& refused = std::get<http::client_error>(busy);
  EXPECT_EQ(refused.status, 503u) << refused.message;
  EXPECT_EQ(parse(refused.body).get_string("error"), "busy");
}

TEST_F(MeshServiceTool, AHungJobStaysProcessingAndSigtermStopsTheService) {
  mesher_process m{dir_};
  auto image = write_sample_png(dir_, "a.png", 32, 32);
  sync_ok(client_, "POST", m.url("/generate"), generate_body("stuck", image, R"({"faults":{"hang":"work"}})"));
  std::string last;
  ASSERT_TRUE(eventually([&] {
    last = sync_ok(client_, "GET", m.url("/status/stuck")).body;
    return last.find(R"("progress":50)") != std::string::npos;
  }, std::chrono::seconds{20}, std::chrono::milliseconds{10})) << last;
  EXPECT_NE(last.find(R"("status":"processing")"), std::string::npos);

  m.process().signal(SIGTERM);
  auto ended = m.process().wait_for(std::chrono::seconds{20});
  ASSERT_TRUE(ended) << "still running after SIGTERM";
  EXPECT_TRUE(ended->exited_with(0)) << ended->to_string() << "\n" << m.log();
}

}  // namespace
}  // namespace meshjobs::testing
