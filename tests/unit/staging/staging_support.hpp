// Test support for the staging store: a temporary directory and a fixed master key.
#pragma once
#include <stdlib.h>

#include <catch2/catch.hpp>

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

inline constexpr std::size_t kCap = 4052;  // plaintext bytes per staged block: 4096 less nonce, length and tag

// The whole file, read in one call.
inline Bytes read_all(const staging::StagedFile& file) {
  Bytes out(static_cast<std::size_t>(file.size()));
  REQUIRE(file.read(0, out) == out.size());
  return out;
}

inline std::filesystem::path staged_path(const std::filesystem::path& dir, uint64_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.stg", static_cast<unsigned long long>(id));
  return dir / name;
}

}  // namespace pfs::test::staging_support

namespace pfs::test {
using staging_support::fixed_key;
using staging_support::kCap;
using staging_support::read_all;
using staging_support::staged_path;
}  // namespace pfs::test
