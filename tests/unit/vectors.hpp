// Test support: the reference vectors (copied verbatim from ../shared/vectors into tests/vectors) and errno checks.
#pragma once
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "protectedfs/util/error.hpp"

namespace pfs::test {

inline nlohmann::json load_vectors(const std::string& file) {
  std::ifstream in(std::string(PFS_VECTOR_DIR) + "/" + file);
  if (!in) throw std::runtime_error("missing vector file " + file);
  return nlohmann::json::parse(in);
}

// The vectors' generator: byte[i] = (i*31 + seed) & 0xff.
inline std::vector<uint8_t> generated_bytes(std::size_t length, unsigned seed) {
  std::vector<uint8_t> out(length);
  for (std::size_t i = 0; i < length; ++i) out[i] = static_cast<uint8_t>((i * 31 + seed) & 0xff);
  return out;
}

// The errno of the pfs::Error that `action` throws, or 0 when it succeeds.
template <typename Action>
int errno_of(Action&& action) {
  try {
    action();
  } catch (const pfs::Error& e) {
    return e.code();
  }
  return 0;
}

}  // namespace pfs::test
