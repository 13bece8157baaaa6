// The staging store against an in-memory model: random writes, truncations and reads across block boundaries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "staging_support.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::staging;
using pfs::test::staging_support::kCap;
using pfs::test::staging_support::read_all;
using pfs::test::staging_support::TempDir;

namespace {

void model_write(Bytes& model, uint64_t offset, ByteView data) {
  if (data.empty()) return;  // like write(2): nothing written, no growth
  if (model.size() < offset + data.size()) model.resize(static_cast<std::size_t>(offset + data.size()), 0);
  std::copy(data.begin(), data.end(), model.begin() + static_cast<std::ptrdiff_t>(offset));
}

}  // namespace

TEST_CASE("staging: random writes, truncations and reads match an in-memory model", "[staging]") {
  TempDir dir;
  std::mt19937_64 rng(12345);
  Bytes model;
  {
    StagingStore store(dir.path, test::fixed_key(1));
    StagedFile file = store.create(7);
    auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n)(rng); };
    // Offsets cluster around block edges so partial blocks, boundaries and holes all come up.
    auto offset = [&]() -> uint64_t {
      const uint64_t limit = 40 * kCap;
      switch (pick(3)) {
        case 0:
          return pick(limit);
        case 1: {
          const uint64_t o = pick(40) * kCap + pick(2);
          return o > 0 ? o - 1 : 0;
        }
        case 2:
          return model.size() + pick(3 * kCap);  // past the end: a hole
        default:
          return model.empty() ? 0 : pick(model.size() - 1);
      }
    };
    for (int op = 0; op < 4000; ++op) {
      const uint64_t kind = pick(9);
      if (kind <= 4) {
        const uint64_t at = offset();
        const std::size_t length = static_cast<std::size_t>(pick(1) ? pick(3 * kCap) : pick(300));
        Bytes data = test::generated_bytes(length, static_cast<unsigned>(op));
        file.write(at, data);
        model_write(model, at, data);
      } else if (kind <= 6) {
        const uint64_t size = pick(1) ? offset() : pick(model.size());
        file.truncate(size);
        model.resize(static_cast<std::size_t>(size), 0);
      } else {
        const uint64_t at = offset();
        Bytes out(static_cast<std::size_t>(pick(4 * kCap)), 0xAA);
        const std::size_t n = file.read(at, out);
        const std::size_t expected = at >= model.size() ? 0 : std::min<std::size_t>(out.size(), model.size() - at);
        REQUIRE(n == expected);
        REQUIRE(std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
                           model.begin() + static_cast<std::ptrdiff_t>(std::min<uint64_t>(at, model.size()))));
      }
      REQUIRE(file.size() == model.size());
    }
    REQUIRE(read_all(file) == model);
    file.sync();
  }
  StagingStore reopened(dir.path, test::fixed_key(1));
  StagedFile again = reopened.open(7);
  REQUIRE(again.size() == model.size());
  REQUIRE(read_all(again) == model);
}

TEST_CASE("staging: holes, growth by truncate and shrink then grow read as zeros", "[staging]") {
  TempDir dir;
  StagingStore store(dir.path, test::fixed_key(1));
  StagedFile file = store.create(1);
  REQUIRE(file.size() == 0);
  Bytes out(10);
  REQUIRE(file.read(0, out) == 0);

  const Bytes data = test::generated_bytes(100, 3);
  file.write(10 * kCap + 5, data);  // blocks 0..9 are holes
  REQUIRE(file.size() == 10 * kCap + 105);
  Bytes all = read_all(file);
  REQUIRE(std::all_of(all.begin(), all.begin() + 10 * kCap + 5, [](uint8_t b) { return b == 0; }));
  REQUIRE(Bytes(all.begin() + 10 * kCap + 5, all.end()) == data);
  // The holes take no room on disk.
  REQUIRE(std::filesystem::file_size(test::staged_path(dir.path, 1)) == 4096 + 11 * 4096);

  file.truncate(10 * kCap + 50);  // shrink inside the last block, then grow: the cut part reads as zeros
  file.truncate(12 * kCap + 1);
  all = read_all(file);
  REQUIRE(all.size() == 12 * kCap + 1);
  REQUIRE(Bytes(all.begin() + 10 * kCap + 5, all.begin() + 10 * kCap + 50) == Bytes(data.begin(), data.begin() + 45));
  REQUIRE(std::all_of(all.begin() + 10 * kCap + 50, all.end(), [](uint8_t b) { return b == 0; }));

  file.truncate(0);
  REQUIRE(file.size() == 0);
  REQUIRE(std::filesystem::file_size(test::staged_path(dir.path, 1)) == 4096);
  file.write(0, data);
  REQUIRE(read_all(file) == data);
}

TEST_CASE("staging: a large unaligned write round-trips and survives reopening", "[staging]") {
  TempDir dir;
  const Bytes data = test::generated_bytes(3 * 1024 * 1024 + 17, 9);
  {
    StagingStore store(dir.path, test::fixed_key(2));
    StagedFile file = store.create(42);
    file.write(123, data);
    file.sync();
  }
  StagingStore store(dir.path, test::fixed_key(2));
  StagedFile file = store.open(42);
  REQUIRE(file.size() == data.size() + 123);
  Bytes out(data.size());
  REQUIRE(file.read(123, out) == data.size());
  REQUIRE(out == data);
}
