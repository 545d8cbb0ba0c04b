#include "store/store.hpp"

#include <stdexcept>

namespace meshjobs {

std::unique_ptr<store> open_store(const store_config& cfg) {
  switch (cfg.backend) {
    case store_backend::memory:
      return make_memory_store();
    case store_backend::sqlite:
      return make_sqlite_store(cfg);
  }
  throw std::invalid_argument("store: unknown backend "
                              + std::to_string(static_cast<int>(cfg.backend)));
}

}  // namespace meshjobs
