// The `http` backend's client against meshjobs-mesher run as a real process on loopback:
// a generation end to end, and each failure with its kind (service down, a hang, malformed
// JSON, a 500, a refused request, a service that forgot the job).
#include "mesh/mesh_service_client.hpp"

#include <gtest/gtest.h>

#include <future>

#include "mesh/mesher/mesher.hpp"
#include "mesh_service_process.hpp"
#include "meshjobs/http/http_client.hpp"
#include "node_harness.hpp"

namespace meshjobs::mesh {
namespace {

using namespace std::chrono_literals;

/// Runs one asynchronous call of the client and awaits its outcome (with a deadline).
template <class T, class Call>
service_outcome<T> await(Call call) {
  auto done = std::make_shared<std::promise<service_outcome<T>>>();
  auto answer = done->get_future();
  call([done](service_outcome<T> r) { done->set_value(std::move(r)); });
  if (answer.wait_for(30s) != std::future_status::ready)
    return service_error{"test", "no callback within 30 s"};
  return answer.get();
}

template <class T>
T ok(service_outcome<T> r) {
  if (auto* e = std::get_if<service_error>(&r)) {
    ADD_FAILURE() << "expected success, got " << e->kind << ": " << e->message;
    return T{};
  }
  return std::get<T>(std::move(r));
}

template <class T>
service_error failed(service_outcome<T> r) {
  if (std::holds_alternative<T>(r)) {
    ADD_FAILURE() << "expected an error";
    return {};
  }
  return std::get<service_error>(r);
}

class MeshServiceClient : public ::testing::Test {
 protected:
  mesh_service_client client_for(const std::string& base, std::chrono::milliseconds timeout = 10s) {
    mesh_service_options o;
    o.base_url = base;
    o.timeout = timeout;
    return mesh_service_client{http_, o};
  }
  generate_request request(const std::string& job_id, const std::string& parameters = "{}") {
    return {testing::write_sample_png(dir_, job_id + ".png", 48, 32), job_id, "", parameters};
  }
  generation_status generate(mesh_service_client& c, const generate_request& r) {
    return ok(await<generation_status>([&](auto done) { c.generate(r, done); }));
  }

  testing::temp_dir dir_;
  http::client http_;
};

TEST_F(MeshServiceClient, GeneratesPollsFetchesTheResultAndTheMesh) {
  testing::mesher_process m{dir_};
  auto c = client_for(m.url());
  EXPECT_EQ(ok(await<std::string>([&](auto done) { c.health(done); })), "ok");
  EXPECT_EQ(generate(c, request("ok-1")).status, "processing");

  generation_status status;
  ASSERT_TRUE(testing::eventually([&] {
    status = ok(await<generation_status>([&](auto done) { c.status("ok-1", done); }));
    return status.status != "processing";
  }, 20s, 10ms));
  ASSERT_EQ(status.status, "completed") << status.message;
  EXPECT_EQ(status.progress, 100);

  auto result = ok(await<generation_result>([&](auto done) { c.fetch_result(status.result_url, done); }));
  EXPECT_GT(result.triangle_count, 1u);
  auto glb = ok(await<std::string>([&](auto done) { c.fetch_mesh(result.mesh_url, done); }));
  auto mesh = mesher::decode_glb(glb, "mesh.glb");
  EXPECT_EQ(mesh.vertex_count(), result.vertex_count);
  EXPECT_EQ(mesh.triangle_count(), result.triangle_count);
}

TEST_F(MeshServiceClient, AFailedGenerationIsAStatusNotAnError) {
  testing::mesher_process m{dir_, {"--failure-rate", "1"}};
  auto c = client_for(m.url());
  auto status = generate(c, request("fails", R"({"wait":true})"));
  EXPECT_EQ(status.status, "failed");
  EXPECT_NE(status.message.find("injected failure"), std::string::npos) << status.message;
}

TEST_F(MeshServiceClient, AServiceDownIsAServiceError) {
  auto c = client_for("http://127.0.0.1:" + std::to_string(testing::free_loopback_port()));
  auto health = failed(await<std::string>([&](auto done) { c.health(done); }));
  EXPECT_EQ(health.kind, "service_error");
  EXPECT_NE(health.message.find("health"), std::string::npos) << health.message;
  EXPECT_EQ(failed(await<generation_status>([&](auto done) { c.generate(request("down"), done); })).kind,
            "service_error");
}

TEST_F(MeshServiceClient, AHungServiceIsAReadTimeout) {
  testing::mesher_process m{dir_, {"--hang", "status"}};
  auto c = client_for(m.url(), 300ms);
  generate(c, request("hung"));
  auto e = failed(await<generation_status>([&](auto done) { c.status("hung", done); }));
  EXPECT_EQ(e.kind, "read_timeout");
  EXPECT_NE(e.message.find("300 ms"), std::string::npos) << e.message;
}

TEST_F(MeshServiceClient, MalformedJsonIsABadResponse) {
  testing::mesher_process m{dir_};
  auto c = client_for(m.url());
  generate(c, request("broken", R"({"faults":{"malformed":"status,result"}})"));
  auto e = failed(await<generation_status>([&](auto done) { c.status("broken", done); }));
  EXPECT_EQ(e.kind, "bad_response");
  EXPECT_NE(e.message.find("/status/broken"), std::string::npos) << e.message;
  auto result = failed(await<generation_result>([&](auto done) { c.fetch_result("/result/broken", done); }));
  EXPECT_EQ(result.kind, "bad_response");
}

TEST_F(MeshServiceClient, A500IsAServiceErrorAndARefusalABadRequest) {
  testing::mesher_process m{dir_, {"--error-500", "generate"}};
  auto c = client_for(m.url());
  auto e = failed(await<generation_status>([&](auto done) { c.generate(request("five"), done); }));
  EXPECT_EQ(e.kind, "service_error");
  EXPECT_NE(e.message.find("500"), std::string::npos) << e.message;

  auto bad = request("bad");
  bad.parameters_json = R"({"detail_factor":7})";
  testing::mesher_process plain{dir_, {}, "plain"};
  auto p = client_for(plain.url());
  auto refused = failed(await<generation_status>([&](auto done) { p.generate(bad, done); }));
  EXPECT_EQ(refused.kind, "bad_request");
  EXPECT_NE(refused.message.find("detail_factor"), std::string::npos) << refused.message;

  auto unknown = failed(await<generation_status>([&](auto done) { p.status("never-sent", done); }));
  EXPECT_EQ(unknown.kind, "service_error");
  EXPECT_NE(unknown.message.find("404"), std::string::npos) << unknown.message;
}

TEST_F(MeshServiceClient, ABadBaseUrlIsRefusedByName) {
  try {
    client_for("https://mesher.example");
    ADD_FAILURE() << "an https base URL was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string{e.what()}.find("base_url"), std::string::npos) << e.what();
    EXPECT_NE(std::string{e.what()}.find("https"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace meshjobs::mesh
