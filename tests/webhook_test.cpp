// Notifications through a webhook, against a real HTTP listener on loopback: one signed POST per
// notification, retried as a job of its own when the receiver fails, discarded when it refuses.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "mesh_pipeline_fixture.hpp"
#include "meshjobs/http/http_server.hpp"
#include "signature.hpp"

namespace meshjobs::testing_support {
namespace {

/// A webhook receiver: answers each POST with the next status of `answers` (then 200) and
/// keeps what it got.
class receiver {
 public:
  explicit receiver(std::vector<unsigned> answers) : answers_(std::move(answers)), server_(http::server_options{}) {
    server_.route("POST", "/hook", [this](http::request req, http::responder respond) {
      unsigned status = 200;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        bodies_.push_back(req.body);
        signatures_.push_back(req.header(signature_header).value_or(""));
        if (!answers_.empty()) {
          status = answers_.front();
          answers_.erase(answers_.begin());
        }
      }
      respond(http::response::json(status, "{}"));
    });
    port_ = server_.start();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> signatures() {
    std::lock_guard<std::mutex> lock(mutex_);
    return signatures_;
  }

 private:
  std::mutex mutex_;
  std::vector<unsigned> answers_;
  std::vector<std::string> bodies_;
  std::vector<std::string> signatures_;
  http::server server_;
  std::uint16_t port_ = 0;
};

class Webhook : public ::testing::Test {
 protected:
  Webhook() : node(pipeline_config(dir.path())) {}
  void start(receiver& r) {
    node.cfg.notifications.webhook_url = r.url();
    node.cfg.notifications.webhook_secret = "hook-secret";
    node.start();
  }
  temp_dir dir;
  pipeline_node node;
};

TEST_F(Webhook, ACompletedMeshIsPostedOnceSignedWithTheSecret) {
  receiver hook({});
  start(hook);
  auto m = node.pipeline->create_mesh({"p1", "u1", sample_image(dir, "a.png"), "{}"});
  ASSERT_TRUE(node.rt->drain(patience));
  auto bodies = hook.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_NE(bodies[0].find(R"("event":"mesh.completed")"), std::string::npos) << bodies[0];
  EXPECT_NE(bodies[0].find(R"("id":)" + std::to_string(m.id)), std::string::npos) << bodies[0];
  EXPECT_EQ(hook.signatures()[0], sign_body("hook-secret", bodies[0]));
  EXPECT_TRUE(signature_matches("hook-secret", bodies[0], hook.signatures()[0]));
  EXPECT_FALSE(signature_matches("other", bodies[0], hook.signatures()[0]));
}

TEST_F(Webhook, AReceiverThatFailsIsRetriedAndOneThatRefusesIsNot) {
  receiver hook({503, 422});
  start(hook);
  auto first = node.rt->enqueue("notifications.webhook", R"({"url":")" + hook.url() + R"(","body":"{\"n\":1}"})");
  ASSERT_TRUE(node.events->wait_finished(first.id, 1));
  EXPECT_EQ(node.rt->find(first.id)->state, job_state::retrying);
  node.clock->advance(std::chrono::minutes(5));
  node.rt->tick();
  ASSERT_TRUE(node.events->wait_finished(first.id, 2));
  ASSERT_TRUE(node.rt->drain(patience));
  auto j = node.rt->find(first.id).value();
  EXPECT_EQ(j.state, job_state::discarded) << "a 422 is a refusal: no retry changes it";
  EXPECT_EQ(j.last_error.kind, "webhook_refused");
  EXPECT_EQ(j.attempt, 2);
  auto then = node.rt->enqueue("notifications.webhook", R"({"url":")" + hook.url() + R"(","body":"{}"})");
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_EQ(node.rt->find(then.id)->state, job_state::succeeded);
  EXPECT_EQ(hook.bodies().size(), 3u);
}

}  // namespace
}  // namespace meshjobs::testing_support
