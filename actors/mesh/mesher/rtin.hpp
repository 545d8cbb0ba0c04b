// The default simplifier: a right-triangulated irregular network (RTIN).
//
// The field is covered with square tiles of 2^k cells (the smallest power of two not under the
// shorter side, so a square image is one tile), padded past the image by repeating its edge.
// Each square is two right triangles; a triangle splits at the middle of its long side into two
// half-size right triangles, down to single cells. A triangle stays whole only if its plane is
// within the tolerance at every sample it covers (measured exactly, not at its midpoint alone),
// so the bound holds for the whole mesh by construction.
//
// The split decisions are made once, bottom-up, per midpoint: a midpoint splits if either
// triangle it halves is out of tolerance or if any midpoint of their halves splits. That closure
// is what keeps the mesh free of cracks (no vertex in the middle of a neighbour's edge), and
// it lets a triangle skip its own (costly) scan whenever one of its halves already splits.
// Triangles that reach past the image are cut at its edge, their cut corners on their own plane.
#pragma once

#include "mesh/mesher/mesher.hpp"

namespace meshjobs::mesher {

/// `tolerance` is in field units (a fraction of the luminance scale).
triangle_mesh rtin_triangulate(const height_field& field, double tolerance, double height_scale);

}  // namespace meshjobs::mesher
