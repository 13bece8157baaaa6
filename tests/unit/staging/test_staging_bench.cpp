// Throughput of the staging store: sequential 128 KiB writes (FUSE's write size) of 1 GiB, then reads.
// Hidden: run with `unit_tests "[.bench]"`; compare with gocryptfs (~565 MB/s through FUSE on the reference machine).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include "staging_support.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::staging;

TEST_CASE("staging: sequential write and read throughput", "[.bench]") {
  test::staging_support::TempDir dir;
  StagingStore store(dir.path, test::fixed_key(1));
  StagedFile file = store.create(1);
  constexpr std::size_t kChunk = 128 * 1024;
  constexpr uint64_t kTotal = uint64_t{1} << 30;
  Bytes chunk = test::generated_bytes(kChunk, 1);
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  for (uint64_t at = 0; at < kTotal; at += kChunk) file.write(at, chunk);
  const double write_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  file.sync();
  const double sync_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  Bytes out(kChunk);
  uint64_t checksum = 0;
  for (uint64_t at = 0; at < kTotal; at += kChunk) {
    REQUIRE(file.read(at, out) == kChunk);
    checksum += out[7];
  }
  const double read_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  REQUIRE(checksum == (kTotal / kChunk) * chunk[7]);
  std::printf("staging, 1 GiB in 128 KiB calls: write %.0f MB/s (to the page cache), sync %.2f s, read %.0f MB/s\n",
              static_cast<double>(kTotal) / write_seconds / 1e6, sync_seconds,
              static_cast<double>(kTotal) / read_seconds / 1e6);
}
