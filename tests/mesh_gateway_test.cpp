// The gateway's mesh routes on loopback: create and read a mesh, the signed callback, and the
// errors a client gets for a missing token, a bad body, an oversized body and a bad signature.
#include <gtest/gtest.h>

#include "gateway/mesh_gateway.hpp"
#include "http_raw_socket.hpp"
#include "mesh_pipeline_fixture.hpp"
#include "signature.hpp"

namespace meshjobs::testing_support {
namespace {

using testing::raw_request;
using testing::raw_socket;

class MeshGateway : public ::testing::Test {
 protected:
  MeshGateway() : node(pipeline_config(dir.path())) {
    node.cfg.http.token = "t0ken";
    node.cfg.http.max_body_bytes = 4096;
    node.cfg.mesh_service.callback_secret = "shh";
    node.start();
    gateway = std::make_unique<mesh_gateway>(node.pipeline);
    port = gateway->start();
  }
  ~MeshGateway() override { gateway.reset(); }

  testing::raw_response call(const std::string& method, const std::string& target, const std::string& body = "",
                             const std::string& headers = "Authorization: Bearer t0ken\r\n") {
    raw_socket s(port);
    s.send(raw_request(method, target, body, headers));
    auto r = s.read_response();
    EXPECT_TRUE(r.has_value()) << method << " " << target << ": no answer";
    return r.value_or(testing::raw_response{});
  }

  temp_dir dir;
  pipeline_node node;
  std::unique_ptr<mesh_gateway> gateway;
  std::uint16_t port = 0;
};

TEST_F(MeshGateway, APostedMeshIsCreatedGeneratedAndReadBack) {
  auto image = sample_image(dir, "a.png");
  auto created = call("POST", "/api/meshes",
                      R"({"project":"p1","user":"u1","image_url":")" + image + R"(","parameters":{"detail_factor":0.02}})");
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_NE(created.body.find(R"("id":1)"), std::string::npos) << created.body;
  EXPECT_NE(created.body.find(R"("status":"pending")"), std::string::npos) << created.body;
  ASSERT_TRUE(node.rt->drain(patience));
  auto read = call("GET", "/api/meshes/1");
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_NE(read.body.find(R"("status":"completed")"), std::string::npos) << read.body;
  EXPECT_NE(read.body.find(R"("project":"p1")"), std::string::npos) << read.body;

  auto missing = call("GET", "/api/meshes/77");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_NE(missing.body.find("no mesh 77"), std::string::npos) << missing.body;
  auto bad_id = call("GET", "/api/meshes/x1");
  EXPECT_EQ(bad_id.status, 400u);
  EXPECT_NE(bad_id.body.find("id: must be a positive integer"), std::string::npos) << bad_id.body;
}

TEST_F(MeshGateway, EveryBadRequestGetsAJsonErrorThatNamesTheProblemAndCreatesNothing) {
  auto no_token = call("POST", "/api/meshes", R"({"image_url":"a.png"})", "");
  EXPECT_EQ(no_token.status, 401u) << no_token.body;
  auto wrong_token = call("GET", "/api/meshes/1", "", "Authorization: Bearer nope\r\n");
  EXPECT_EQ(wrong_token.status, 401u) << wrong_token.body;
  auto not_json = call("POST", "/api/meshes", "{image_url:");
  EXPECT_EQ(not_json.status, 400u);
  EXPECT_NE(not_json.body.find("body: not valid JSON"), std::string::npos) << not_json.body;
  auto no_url = call("POST", "/api/meshes", R"({"project":"p1"})");
  EXPECT_EQ(no_url.status, 400u);
  EXPECT_NE(no_url.body.find("body.image_url: required"), std::string::npos) << no_url.body;
  auto bad_params = call("POST", "/api/meshes", R"({"image_url":"a.png","parameters":[1]})");
  EXPECT_EQ(bad_params.status, 400u);
  EXPECT_NE(bad_params.body.find("body.parameters"), std::string::npos) << bad_params.body;
  auto bad_user = call("POST", "/api/meshes", R"({"image_url":"a.png","user":7})");
  EXPECT_EQ(bad_user.status, 400u);
  EXPECT_NE(bad_user.body.find("body.user: must be a string"), std::string::npos) << bad_user.body;
  auto oversized = call("POST", "/api/meshes", R"({"image_url":")" + std::string(8000, 'a') + R"("})");
  EXPECT_EQ(oversized.status, 413u) << oversized.body;
  EXPECT_TRUE(node.pipeline->records().list("", 10).empty());

  auto health = call("GET", "/healthz", "", "");
  EXPECT_EQ(health.status, 200u) << "no token needed";
}

TEST_F(MeshGateway, ASignedCallbackBecomesAProgressCallbackJobAndABadSignatureIsRefused) {
  auto m = node.pipeline->records().create({"p1", "u1", "a.png", "{}"});
  const std::string body = R"({"job_id":")" + m.job_id + R"(","progress":55,"message":"Meshing","status":"processing"})";
  auto unsigned_call = call("POST", "/api/meshes/callback", body, "");
  EXPECT_EQ(unsigned_call.status, 401u) << unsigned_call.body;
  auto forged = call("POST", "/api/meshes/callback", body, std::string{signature_header} + ": " + sign_body("guess", body) + "\r\n");
  EXPECT_EQ(forged.status, 401u) << forged.body;
  auto signed_call = call("POST", "/api/meshes/callback", body, std::string{signature_header} + ": " + sign_body("shh", body) + "\r\n");
  ASSERT_EQ(signed_call.status, 202u) << signed_call.body;
  ASSERT_TRUE(node.rt->drain(patience));
  auto now = node.pipeline->records().find(m.id).value();
  EXPECT_EQ(now.progress, 55);
  EXPECT_EQ(now.message, "Meshing");
  EXPECT_EQ(node.jobs_of("mesh.progress_callback").size(), 1u) << "only the signed callback became a job";
}

}  // namespace
}  // namespace meshjobs::testing_support
