// Large staged writes are written behind (src/staging/write_behind.hpp): they return before their bytes are on
// disk. Reads, the next write's edge block, a reopen and a failure on the disk must not tell the difference, except
// that a failure after the write returned loses the file and says so.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "protectedfs/util/error.hpp"
#include "staging/write_behind.hpp"
#include "staging_support.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::staging;
using pfs::test::errno_of;
using pfs::test::staging_support::kCap;
using pfs::test::staging_support::read_all;
using pfs::test::staging_support::TempDir;

namespace {

// Holds the write-behind thread while it lives: queued runs stay queued. Only large writes and reads may run
// meanwhile (anything else waits for the queue first).
class HeldBehind {
 public:
  HeldBehind() { detail::WriteBehind::instance().hold(true); }
  ~HeldBehind() { detail::WriteBehind::instance().hold(false); }
};

// The first bytes of block `index` as the disk has them now.
Bytes on_disk(const std::filesystem::path& path, uint64_t index) {
  Bytes block(64);
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  const ssize_t n = ::pread(fd, block.data(), block.size(), static_cast<off_t>(4096 + index * 4096));
  ::close(fd);
  block.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return block;
}

}  // namespace

TEST_CASE("staging: a large write is read back before it lands, by reads and by the next write's edge block",
          "[staging][behind]") {
  TempDir dir;
  const Bytes a = test::generated_bytes(1 << 20, 1), b = test::generated_bytes(1 << 20, 2);
  Bytes both(a.size() + b.size());
  std::copy(a.begin(), a.end(), both.begin());
  std::copy(b.begin(), b.end(), both.begin() + static_cast<std::ptrdiff_t>(a.size()));
  {
    StagingStore store(dir.path, test::fixed_key(4));
    StagedFile file = store.create(1);
    {
      HeldBehind held;
      file.write(0, a);
      file.write(a.size(), b);  // its first block is `a`'s last, read back from the queue
      CHECK(on_disk(test::staged_path(dir.path, 1), 0) == Bytes(64, 0));  // nothing landed yet
      CHECK(file.size() == both.size());
      CHECK(read_all(file) == both);
      Bytes middle(5000);
      REQUIRE(file.read(a.size() - 2000, middle) == middle.size());
      CHECK(middle == Bytes(both.begin() + static_cast<std::ptrdiff_t>(a.size() - 2000),
                            both.begin() + static_cast<std::ptrdiff_t>(a.size() + 3000)));
    }
    store.settle(1);  // what close(2) does
    CHECK(on_disk(test::staged_path(dir.path, 1), 0) != Bytes(64, 0));
    // The room allocated ahead went back with it: the file is its blocks again.
    const uint64_t blocks = (both.size() + kCap - 1) / kCap;
    CHECK(std::filesystem::file_size(test::staged_path(dir.path, 1)) == 4096 + blocks * 4096);
  }
  StagingStore store(dir.path, test::fixed_key(4));
  StagedFile file = store.open(1);
  CHECK(file.size() == both.size());
  CHECK(read_all(file) == both);
}

TEST_CASE("staging: a write behind that fails on the disk loses the file: EIO until it is truncated to 0",
          "[staging][behind]") {
  TempDir dir;
  StagingStore store(dir.path, test::fixed_key(4));
  StagedFile file = store.create(2);
  const Bytes a = test::generated_bytes(1 << 20, 3);
  detail::WriteBehind::instance().set_fault([] { throw Error(EIO, "the device failed (injected)"); });
  file.write(0, a);  // returns: the failure comes after
  CHECK(errno_of([&] { file.sync(); }) == EIO);
  detail::WriteBehind::instance().set_fault(nullptr);
  Bytes out(100);
  CHECK(errno_of([&] { file.read(0, out); }) == EIO);
  CHECK(errno_of([&] { file.write(a.size(), a); }) == EIO);
  CHECK(errno_of([&] { file.sync(); }) == EIO);
  CHECK(errno_of([&] { file.truncate(10); }) == EIO);
  // Truncated to 0 (cp over it), it is usable again.
  file.truncate(0);
  file.write(0, a);
  file.sync();
  CHECK(read_all(file) == a);
  // Another file is not touched.
  StagedFile other = store.create(3);
  other.write(0, a);
  other.sync();
  CHECK(read_all(other) == a);
}

TEST_CASE("staging: large and small writes, truncations and reads match an in-memory model, with writes queued",
          "[staging][behind]") {
  TempDir dir;
  std::mt19937_64 rng(777);
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n)(rng); };
  Bytes model;
  {
    StagingStore store(dir.path, test::fixed_key(5));
    StagedFile file = store.create(4);
    for (int op = 0; op < 300; ++op) {
      const uint64_t kind = pick(9);
      const uint64_t at = pick(1) ? pick(model.size()) : pick(6 << 20);
      if (kind <= 5) {
        // Mostly large (written behind), some small (written now, after the queue), some held back in the queue.
        const bool large = kind <= 3;
        const std::size_t length = large ? (512 << 10) + static_cast<std::size_t>(pick(512 << 10)) : pick(3 * kCap);
        const Bytes data = test::generated_bytes(length, static_cast<unsigned>(op));
        if (large && kind == 0) {
          HeldBehind held;
          file.write(at, data);
          Bytes out(static_cast<std::size_t>(pick(2 << 20)));
          if (model.size() < at + data.size()) model.resize(static_cast<std::size_t>(at + data.size()), 0);
          std::copy(data.begin(), data.end(), model.begin() + static_cast<std::ptrdiff_t>(at));
          const uint64_t from = pick(model.size());
          const std::size_t n = file.read(from, out);
          REQUIRE(n == std::min<uint64_t>(out.size(), model.size() - from));
          REQUIRE(std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
                             model.begin() + static_cast<std::ptrdiff_t>(from)));
          continue;
        }
        file.write(at, data);
        if (!data.empty()) {
          if (model.size() < at + data.size()) model.resize(static_cast<std::size_t>(at + data.size()), 0);
          std::copy(data.begin(), data.end(), model.begin() + static_cast<std::ptrdiff_t>(at));
        }
      } else if (kind <= 7) {
        file.truncate(at);
        model.resize(static_cast<std::size_t>(at), 0);
      } else {
        file.sync();
      }
      REQUIRE(file.size() == model.size());
    }
    REQUIRE(read_all(file) == model);
  }
  // No sync at the end: the store waits, when it goes, for the runs of its files still queued.
  StagingStore reopened(dir.path, test::fixed_key(5));
  StagedFile again = reopened.open(4);
  REQUIRE(again.size() == model.size());
  REQUIRE(read_all(again) == model);
}

TEST_CASE("staging: a large write far past the end takes room for itself only: the gap stays a hole",
          "[staging][behind]") {
  TempDir dir;
  StagingStore store(dir.path, test::fixed_key(7));
  StagedFile file = store.create(6);
  const Bytes a = test::generated_bytes(1 << 20, 5);
  const uint64_t far = uint64_t{8} << 30;
  file.write(far, a);
  file.sync();
  struct stat st {};
  REQUIRE(::stat(test::staged_path(dir.path, 6).c_str(), &st) == 0);
  CHECK(static_cast<uint64_t>(st.st_blocks) * 512 < (4u << 20));  // the write's blocks and the header, not 8 GiB
  Bytes back(a.size());
  REQUIRE(file.read(far, back) == back.size());
  CHECK(back == a);
  Bytes gap(5000, 0xAA);
  REQUIRE(file.read(far / 2, gap) == gap.size());
  CHECK(gap == Bytes(5000, 0));
}
