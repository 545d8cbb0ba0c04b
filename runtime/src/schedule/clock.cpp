#include "meshjobs/clock.hpp"

namespace meshjobs {

timestamp system_clock::now() const { return to_timestamp(std::chrono::system_clock::now()); }

}  // namespace meshjobs
