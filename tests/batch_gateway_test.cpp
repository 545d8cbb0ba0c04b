// The gateway's batch routes on loopback: create a batch from a list and from a folder, read it
// with each image's status, cancel it, and the errors of bad requests.
#include <gtest/gtest.h>

#include <filesystem>

#include "gateway/mesh_gateway.hpp"
#include "http_raw_socket.hpp"
#include "mesh/batch_record.hpp"
#include "mesh_pipeline_fixture.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs::testing_support {
namespace {

using testing::raw_request;
using testing::raw_socket;

class BatchGateway : public ::testing::Test {
 protected:
  BatchGateway() : node(pipeline_config(dir.path())) {
    node.cfg.http.token = "t0ken";
    node.start();
    gateway = std::make_unique<mesh_gateway>(node.pipeline);
    port = gateway->start();
  }
  ~BatchGateway() override { gateway.reset(); }

  testing::raw_response call(const std::string& method, const std::string& target, const std::string& body = "") {
    raw_socket s(port);
    s.send(raw_request(method, target, body, "Authorization: Bearer t0ken\r\n"));
    auto r = s.read_response();
    EXPECT_TRUE(r.has_value()) << method << " " << target << ": no answer";
    return r.value_or(testing::raw_response{});
  }

  std::int64_t batch_id_of(const testing::raw_response& r) {
    auto parsed = json::object::parse(r.body, "answer");
    EXPECT_TRUE(std::holds_alternative<json::object>(parsed)) << r.body;
    return std::get<json::object>(parsed).get_int("batch_id").value_or(0);
  }

  temp_dir dir;
  pipeline_node node;
  std::unique_ptr<mesh_gateway> gateway;
  std::uint16_t port = 0;
};

TEST_F(BatchGateway, ABatchOfAListAndOneOfAFolderAreMeshedAndShownWithTheirImages) {
  const auto a = sample_image(dir, "a.png"), b = sample_image(dir, "b.png", 64, 2);
  auto listed = call("POST", "/api/batches",
                     R"({"project":"p1","user":"u1","images":[")" + a + R"(",")" + b + R"("],"parameters":{"detail_factor":0.05}})");
  ASSERT_EQ(listed.status, 202u) << listed.body;
  EXPECT_NE(listed.body.find(R"("status":"enqueued")"), std::string::npos) << listed.body;
  const auto first = batch_id_of(listed);

  std::filesystem::create_directories(dir.file("folder"));
  sample_image(dir, "folder/x.png");
  write_file(dir.file("folder/notes.txt"), "not an image");
  auto folder = call("POST", "/api/batches", R"({"project":"p2","user":"u1","folder":")" + dir.file("folder") + R"("})");
  ASSERT_EQ(folder.status, 202u) << folder.body;
  const auto second = batch_id_of(folder);
  ASSERT_TRUE(node.rt->drain(patience));

  auto shown = call("GET", "/api/batches/" + std::to_string(first));
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_NE(shown.body.find(R"("status":"completed")"), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find(R"("total":2,"completed":2,"failed":0)"), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find(R"("complete":true,"success":true)"), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find(R"("image_url":")" + a), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find(R"("mesh_status":"completed")"), std::string::npos) << shown.body;

  auto page = call("GET", "/api/batches/" + std::to_string(first) + "?offset=1&limit=1");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(page.body.find(R"("image_url":")" + a), std::string::npos) << "offset 1 starts at the second image";
  EXPECT_NE(page.body.find(R"("image_url":")" + b), std::string::npos) << page.body;

  auto of_folder = call("GET", "/api/batches/" + std::to_string(second));
  ASSERT_EQ(of_folder.status, 200u) << of_folder.body;
  EXPECT_NE(of_folder.body.find(R"("total":1,"completed":1)"), std::string::npos) << "only the image counts: "
                                                                                   << of_folder.body;
  auto again = call("DELETE", "/api/batches/" + std::to_string(first));
  EXPECT_EQ(again.status, 409u) << again.body;
  EXPECT_NE(again.body.find("has ended"), std::string::npos) << again.body;
}

TEST_F(BatchGateway, APendingBatchIsShownFromItsJobAndCancelledByDelete) {
  ASSERT_TRUE(node.rt->pause("batch_processing"));
  auto created = call("POST", "/api/batches", R"({"project":"p","images":["a.png","b.png","c.png"]})");
  ASSERT_EQ(created.status, 202u) << created.body;
  const auto id = batch_id_of(created);
  auto duplicate = call("POST", "/api/batches", R"({"project":"p","images":["c.png","b.png","a.png"]})");
  ASSERT_EQ(duplicate.status, 202u) << duplicate.body;
  EXPECT_NE(duplicate.body.find(R"("status":"duplicate")"), std::string::npos) << duplicate.body;
  EXPECT_EQ(batch_id_of(duplicate), id) << "the same project and images: the first batch";

  auto pending = call("GET", "/api/batches/" + std::to_string(id));
  ASSERT_EQ(pending.status, 200u) << pending.body;
  EXPECT_NE(pending.body.find(R"("status":"pending")"), std::string::npos) << pending.body;
  EXPECT_NE(pending.body.find(R"("total":3)"), std::string::npos) << pending.body;

  auto cancelled = call("DELETE", "/api/batches/" + std::to_string(id));
  EXPECT_EQ(cancelled.status, 200u) << cancelled.body;
  EXPECT_NE(cancelled.body.find(R"("status":"cancelled")"), std::string::npos) << cancelled.body;
  ASSERT_TRUE(node.rt->resume("batch_processing"));
  ASSERT_TRUE(node.rt->drain(patience));
  auto record = batch::batch_records(*node.rt).find(id);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->status, "cancelled");
  EXPECT_TRUE(node.jobs_of("mesh.generation").empty()) << "a batch cancelled before it ran started images";
}

TEST_F(BatchGateway, BadRequestsAreRefusedWithTheInputAndTheReasonAndCreateNothing) {
  struct bad {
    std::string method, target, body;
    unsigned status;
    std::string says;
  };
  for (const auto& b : std::vector<bad>{
         {"POST", "/api/batches", "{images:", 400, "body: not valid JSON"},
         {"POST", "/api/batches", R"({"project":"p"})", 400, "give either images"},
         {"POST", "/api/batches", R"({"images":["a.png"],"folder":"f"})", 400, "give either images"},
         {"POST", "/api/batches", R"({"images":"a.png"})", 400, "body.images: must be an array of strings"},
         {"POST", "/api/batches", R"({"images":["a.png",""]})", 400, "body.images: an image is an empty string"},
         {"POST", "/api/batches", R"({"images":["a.png"],"parameters":7})", 400, "body.parameters"},
         {"POST", "/api/batches", R"({"images":["a.png"],"user":{}})", 400, "body.user: must be a string"},
         {"POST", "/api/batches", R"({"images":["a.png"],"child_kind":"x"})", 400, "body.child_kind"},
         {"GET", "/api/batches/0", "", 400, "id: must be a positive integer"},
         {"GET", "/api/batches/1?limit=99999", "", 400, "query.limit: at most 10000"},
         {"GET", "/api/batches/1?offset=-1", "", 400, "query.offset: must be a non-negative integer"},
         {"GET", "/api/batches/1?color=red", "", 400, "query.color: unknown"},
         {"GET", "/api/batches/4242", "", 404, "no batch 4242"},
         {"DELETE", "/api/batches/4242", "", 404, "no batch 4242"},
       }) {
    auto r = call(b.method, b.target, b.body);
    EXPECT_EQ(r.status, b.status) << b.method << " " << b.target << " " << b.body << ": " << r.body;
    EXPECT_NE(r.body.find(b.says), std::string::npos) << b.method << " " << b.target << " " << b.body << ": " << r.body;
  }
  EXPECT_TRUE(node.jobs_of("mesh.batch_generation").empty());
}

}  // namespace
}  // namespace meshjobs::testing_support
