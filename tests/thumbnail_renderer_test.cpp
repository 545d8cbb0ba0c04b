// The software thumbnail renderer: a real PNG (decoded here with stb) of the requested size,
// with the mesh visibly drawn over the background, and refusals for what cannot be drawn.
#include <gtest/gtest.h>

#include <stb_image.h>

#include <memory>
#include <set>

#include "mesh/mesher/mesher.hpp"
#include "mesh/mesher/sample_images.hpp"
#include "storage/thumbnail_renderer.hpp"

namespace meshjobs::storage {
namespace {

struct decoded_png {
  int width = 0, height = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> rgb{nullptr, stbi_image_free};
};

decoded_png decode(const std::string& png) {
  decoded_png out;
  int channels = 0;
  out.rgb.reset(stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), static_cast<int>(png.size()),
                                      &out.width, &out.height, &channels, 3));
  return out;
}

mesher::triangle_mesh terrain() {
  auto field = mesher::decode_height_field(mesher::make_sample_png(96, 64, 4), {}, "terrain.png");
  return mesher::triangulate(field, {0.01, 0.25});
}

TEST(ThumbnailRenderer, PngDecodesToTheRequestedSize) {
  auto mesh = terrain();
  for (std::uint32_t size : {256u, 64u, 16u}) {
    auto image = decode(render_thumbnail_png(mesh, {size}));
    ASSERT_TRUE(image.rgb) << stbi_failure_reason();
    EXPECT_EQ(image.width, int(size));
    EXPECT_EQ(image.height, int(size));
  }
  auto image = decode(render_thumbnail_png(mesh, {}));
  EXPECT_EQ(image.width, 256) << "256x256 by default";
}

TEST(ThumbnailRenderer, TheMeshCoversMuchOfTheFrameAndIsShadedUnevenly) {
  auto image = decode(render_thumbnail_png(terrain(), {128}));
  ASSERT_TRUE(image.rgb);
  const stbi_uc* rgb = image.rgb.get();
  // The corner pixel is background; count the pixels that differ from their row's background.
  std::size_t drawn = 0;
  std::set<int> shades;
  for (int y = 0; y < image.height; ++y) {
    const stbi_uc* row_start = rgb + std::size_t(y) * image.width * 3;
    for (int x = 0; x < image.width; ++x) {
      const stbi_uc* pixel = row_start + x * 3;
      bool background = pixel[0] == row_start[0] && pixel[1] == row_start[1] && pixel[2] == row_start[2];
      if (!background) {
        ++drawn;
        shades.insert(pixel[0]);
      }
    }
  }
  EXPECT_GT(drawn, std::size_t(image.width) * image.height / 4) << "the mesh fills a good part of the frame";
  EXPECT_GT(shades.size(), 10u) << "the relief is shaded, not one flat colour";
}

TEST(ThumbnailRenderer, ARenderingDoesNotDependOnWhatWasRenderedBefore) {
  // Renderings reuse their canvas and encoder: nothing of a bigger, other picture may show.
  auto other = mesher::triangulate(
      mesher::decode_height_field(mesher::make_sample_png(40, 90, 11), {}, "other.png"), {0.01, 0.5});
  const auto first = render_thumbnail_png(terrain(), {64});
  render_thumbnail_png(other, {256});
  EXPECT_EQ(render_thumbnail_png(terrain(), {64}), first);
}

TEST(ThumbnailRenderer, BadSizesEmptyMeshesAndBadIndicesAreRefused) {
  auto mesh = terrain();
  EXPECT_THROW(render_thumbnail_png(mesh, {15}), std::invalid_argument);
  EXPECT_THROW(render_thumbnail_png(mesh, {4097}), std::invalid_argument);
  EXPECT_THROW(render_thumbnail_png(mesher::triangle_mesh{}, {}), std::invalid_argument);
  auto broken = mesh;
  broken.indices[4] = static_cast<std::uint32_t>(mesh.vertex_count());
  EXPECT_THROW(render_thumbnail_png(broken, {}), std::invalid_argument);
}

}  // namespace
}  // namespace meshjobs::storage
