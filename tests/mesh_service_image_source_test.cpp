// Image sources: plain paths, file:// and http:// URLs, their byte limit, and errors that name
// the source, the reason and a kind the mesh jobs retry by.
#include "mesh/image_source.hpp"

#include <gtest/gtest.h>

#include <future>

#include "meshjobs/http/http_client.hpp"
#include "meshjobs/http/http_server.hpp"
#include "process.hpp"

namespace meshjobs::mesh {
namespace {

image_error error_of(const image_result& r) {
  if (auto* bytes = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << "expected an error, got " << bytes->size() << " bytes";
    return {};
  }
  return std::get<image_error>(r);
}

class ImageSource : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("img.png");
    testing::write_file(path_, std::string(100, 'p'));
  }

  image_result load(const std::string& source, image_source_limits limits = {}) {
    std::promise<image_result> done;
    auto answer = done.get_future();
    load_image(source, limits, client_, [&done](image_result r) { done.set_value(std::move(r)); });
    return answer.get();
  }

  testing::temp_dir dir_;
  std::string path_;
  http::client client_;
};

TEST_F(ImageSource, ReadsPlainPathsAndFileUrls) {
  EXPECT_EQ(std::get<std::string>(read_local_image(path_, {})).size(), 100u);
  EXPECT_EQ(std::get<std::string>(read_local_image("file://" + path_, {})).size(), 100u);
  EXPECT_EQ(std::get<std::string>(read_local_image("file://localhost" + path_, {})).size(), 100u);
  EXPECT_EQ(std::get<std::string>(load(path_)).size(), 100u);
}

TEST_F(ImageSource, LocalErrorsNameTheSourceAndTheReason) {
  auto missing = error_of(read_local_image(dir_.file("gone.png"), {}));
  EXPECT_EQ(missing.kind, "image_not_found");
  EXPECT_NE(missing.message.find("gone.png"), std::string::npos) << missing.message;

  image_source_limits small;
  small.max_bytes = 99;
  auto large = error_of(read_local_image(path_, small));
  EXPECT_EQ(large.kind, "image_too_large");
  EXPECT_NE(large.message.find("100 bytes, over the limit of 99"), std::string::npos) << large.message;

  EXPECT_EQ(error_of(read_local_image("ftp://h/x.png", {})).kind, "bad_image_source");
  EXPECT_EQ(error_of(read_local_image("file://relative/x.png", {})).kind, "bad_image_source");
  EXPECT_EQ(error_of(read_local_image("", {})).kind, "bad_image_source");
}

TEST_F(ImageSource, FetchesHttpUrlsUnderTheLimit) {
  http::server images{http::server_options{}};
  images.route("GET", "/img/{name}", [](http::request req, http::responder respond) {
    if (req.params["name"] != "a.png")
      return respond(http::response::error(404, "not_found", "no such image"));
    http::response r;
    r.content_type = "image/png";
    r.body = std::string(5000, 'i');
    respond(std::move(r));
  });
  auto base = "http://127.0.0.1:" + std::to_string(images.start()) + "/img/";
  EXPECT_EQ(std::get<std::string>(load(base + "a.png")).size(), 5000u);

  auto missing = error_of(load(base + "b.png"));
  EXPECT_EQ(missing.kind, "image_not_found");
  EXPECT_NE(missing.message.find("404"), std::string::npos) << missing.message;

  image_source_limits small;
  small.max_bytes = 4999;
  EXPECT_EQ(error_of(load(base + "a.png", small)).kind, "image_too_large");

  auto down = error_of(load("http://127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "/x.png"));
  EXPECT_EQ(down.kind, "service_error");
  EXPECT_EQ(error_of(read_local_image(base + "a.png", {})).kind, "bad_image_source");
}

}  // namespace
}  // namespace meshjobs::mesh
