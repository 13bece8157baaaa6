// SPEC.md §2: folders nest at most format::Schema::kMaxDepth levels (the protected data being the first), the most
// the schema reader accepts; a deeper mkdir, or a rename that would make a tree deeper, is EINVAL and changes nothing.
#include <catch2/catch.hpp>

#include "memory_stores.hpp"
#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/format/schema.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::core;

TEST_CASE("mkdir deeper than the schema reader accepts is EINVAL, and so is a rename that would nest deeper",
          "[core]") {
  test::MemoryContents contents;
  test::MemoryTree tree;
  Filesystem fs{contents, tree, 1000, 1000};
  uint64_t folder = fs.mkdir(kRootIno, "deep", 0755).ino;  // level 1
  const uint64_t data = folder;
  uint64_t level2 = 0;
  for (std::size_t level = 2; level <= format::Schema::kMaxDepth; ++level) {
    folder = fs.mkdir(folder, "d", 0755).ino;
    if (level == 2) level2 = folder;
  }
  const uint64_t deepest = folder;
  fs.create(deepest, "leaf.txt", 0644);  // a field in the deepest object adds no level
  CHECK(test::errno_of([&] { fs.mkdir(deepest, "one-more", 0755); }) == EINVAL);
  CHECK(test::errno_of([&] { fs.lookup(deepest, "one-more"); }) == ENOENT);

  // A two-level tree moved under level 63 would reach 65; under level 62 it reaches 64.
  const auto at_level = [&](std::size_t level) {
    uint64_t ino = level2;
    for (std::size_t l = 2; l < level; ++l) ino = fs.lookup(ino, "d").ino;
    return ino;
  };
  const uint64_t side = fs.mkdir(data, "side", 0755).ino;
  fs.mkdir(side, "inner", 0755);
  CHECK(test::errno_of([&] { fs.rename(data, "side", at_level(63), "side", 0); }) == EINVAL);
  CHECK(fs.lookup(data, "side").ino == side);
  CHECK_NOTHROW(fs.rename(data, "side", at_level(62), "side", 0));
  // The snapshot's deepest path is the schema's depth: what the publisher registers reads back.
  const DataSnapshot snap = fs.snapshot(data);
  std::size_t deepest_object = 0;
  for (const auto& entry : snap.entries)
    if (entry.directory) deepest_object = std::max(deepest_object, entry.keys.size() + 1);
  CHECK(deepest_object == format::Schema::kMaxDepth);
}
