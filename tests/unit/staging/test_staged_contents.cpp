// The daemon's staged field contents keep a bounded set of open staged files, however many are created.
#include <catch2/catch.hpp>

#include <filesystem>

#include "cli/staged_contents.hpp"
#include "staging_support.hpp"

using namespace pfs;
using pfs::test::staging_support::TempDir;

namespace {
std::size_t open_descriptors() {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"), {}));
}
}  // namespace

TEST_CASE("Staged contents: creating many files holds at most max_open descriptors", "[staging]") {
  TempDir dir;
  staging::StagingStore store(dir.path / "staging", pfs::test::fixed_key(7));
  cli::StagedContents contents(store, 4);
  const std::size_t before = open_descriptors();
  for (uint64_t ino = 10; ino < 60; ++ino) {
    contents.create(ino);
    const uint8_t byte = static_cast<uint8_t>(ino);
    contents.write(ino, 0, ByteView(&byte, 1));
  }
  // The files kept open, and the unnamed spares the store makes ahead for the next creations.
  CHECK(open_descriptors() <= before + 4 + staging::StagingStore::kSpares);
  // Files closed along the way reopen with their bytes.
  for (uint64_t ino = 10; ino < 60; ++ino) {
    uint8_t byte = 0;
    REQUIRE(contents.read(ino, 0, std::span<uint8_t>(&byte, 1)) == 1);
    CHECK(byte == static_cast<uint8_t>(ino));
  }
  CHECK(open_descriptors() <= before + 4 + staging::StagingStore::kSpares);
}
