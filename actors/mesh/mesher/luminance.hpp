// Rec. 709 luma of gamma-encoded colour: the brightness a viewer sees, which is what a height
// painted as an image means. Every format's colour pixels go through it.
#pragma once

namespace meshjobs::mesher {

inline double luma(double red, double green, double blue) { return 0.2126 * red + 0.7152 * green + 0.0722 * blue; }

}  // namespace meshjobs::mesher
