// Test support for the staging store: a temporary directory and a fixed master key.
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "protectedfs/staging/staging_store.hpp"
#include "temp_dir.hpp"

namespace pfs::test::staging_support {

using TempDir = pfs::test::TempDir;

inline staging::MasterKey fixed_key(uint8_t seed) {
  std::array<uint8_t, 32> bytes;
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(seed + i);
  return staging::MasterKey(bytes);
}

inline std::filesystem::path staged_path(const std::filesystem::path& dir, uint64_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.stg", static_cast<unsigned long long>(id));
  return dir / name;
}

}  // namespace pfs::test::staging_support

namespace pfs::test {
using staging_support::fixed_key;
using staging_support::staged_path;
}  // namespace pfs::test
