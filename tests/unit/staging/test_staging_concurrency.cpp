// Staging store under threads (different files, one file) and under crashes (a child process killed mid-write).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "staging_support.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::staging;
using pfs::test::staging_support::kCap;
using pfs::test::staging_support::read_all;
using pfs::test::staging_support::TempDir;

TEST_CASE("staging: threads writing different files", "[staging]") {
  TempDir dir;
  StagingStore store(dir.path, test::fixed_key(1));
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        StagedFile file = store.create(static_cast<uint64_t>(t));
        const Bytes chunk = test::generated_bytes(10000, static_cast<unsigned>(t));
        for (int i = 0; i < 100; ++i) file.write(static_cast<uint64_t>(i) * chunk.size(), chunk);
        file.sync();
      } catch (...) {
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(failures == 0);
  for (int t = 0; t < kThreads; ++t) {
    const Bytes all = read_all(store.open(static_cast<uint64_t>(t)));
    REQUIRE(all.size() == 1000000);
    const Bytes chunk = test::generated_bytes(10000, static_cast<unsigned>(t));
    for (std::size_t i = 0; i < 100; ++i)
      REQUIRE(std::equal(chunk.begin(), chunk.end(), all.begin() + static_cast<std::ptrdiff_t>(i * chunk.size())));
  }
}

TEST_CASE("staging: threads writing, reading and syncing one file through separate handles", "[staging]") {
  TempDir dir;
  StagingStore store(dir.path, test::fixed_key(1));
  store.create(1);
  // Each writer owns interleaved 1000-byte stripes, so most blocks are shared by several writers (racing
  // read-modify-writes would lose stripes).
  constexpr int kWriters = 3, kStripes = 200;
  constexpr std::size_t kStripe = 1000;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      try {
        StagedFile file = store.open(1);
        for (int round = 0; round < 3; ++round)
          for (int s = w; s < kStripes; s += kWriters)
            file.write(static_cast<uint64_t>(s) * kStripe,
                       test::generated_bytes(kStripe, static_cast<unsigned>(s + round)));
      } catch (...) {
        ++failures;
      }
    });
  }
  std::thread reader([&] {
    try {
      StagedFile file = store.open(1);
      Bytes out(3 * kCap);
      while (!done) {
        const uint64_t size = file.size();
        file.read(size > out.size() ? size - out.size() : 0, out);
        file.read(0, out);
        file.sync();
      }
    } catch (...) {
      ++failures;
    }
  });
  for (auto& thread : threads) thread.join();
  done = true;
  reader.join();
  REQUIRE(failures == 0);
  const Bytes all = read_all(store.open(1));
  REQUIRE(all.size() == kStripes * kStripe);
  for (int s = 0; s < kStripes; ++s) {
    const Bytes expected = test::generated_bytes(kStripe, static_cast<unsigned>(s + 2));
    REQUIRE(std::equal(expected.begin(), expected.end(), all.begin() + static_cast<std::ptrdiff_t>(s * kStripe)));
  }
}

TEST_CASE("staging: what was synced survives the process exiting or being killed mid-write", "[staging]") {
  TempDir dir;
  const Bytes synced = test::generated_bytes(1000 * 1000 + 3, 11);
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const bool kill_it = GENERATE(false, true);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child: write and sync, tell the parent, then keep extending the file and rewriting a region past the
    // synced part until killed (or leave at once, without any destructor running).
    try {
      StagingStore store(dir.path, test::fixed_key(1));
      StagedFile file = store.create(77);
      file.write(0, synced);
      file.sync();
      const uint8_t byte = 1;
      if (::write(ready[1], &byte, 1) != 1) ::_exit(2);
      if (!kill_it) ::_exit(0);
      const Bytes more = test::generated_bytes(128 * 1024, 12);
      for (uint64_t i = 0;; ++i) {
        file.write(synced.size() + i * more.size(), more);
        file.write(synced.size() + 5000, more);
        if (i % 64 == 63) file.truncate(synced.size() + 7);
      }
    } catch (...) {
      ::_exit(3);
    }
  }
  ::close(ready[1]);
  uint8_t byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  ::close(ready[0]);
  if (kill_it) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ::kill(child, SIGKILL);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  if (kill_it) {
    REQUIRE(WIFSIGNALED(status));
  } else {
    REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }

  StagingStore store(dir.path, test::fixed_key(1));
  REQUIRE(store.list() == std::vector<uint64_t>{77});
  StagedFile file = store.open(77);
  REQUIRE(file.size() >= synced.size());
  const Bytes all = read_all(file);  // readable to the end: no torn block
  REQUIRE(std::equal(synced.begin(), synced.end(), all.begin()));
  file.write(file.size(), to_bytes("and more"));  // and writable
}

// A read spanning many runs takes the file's lock per run (a writer waits for one pread, not for a whole read): it
// is not atomic against a concurrent write or truncate, as on a local file system, but every block it returns is
// one whole sealed state of that block, and a file shrinking under it ends the read at the new end.
TEST_CASE("staging: a long read beside writes and truncations returns whole blocks and stops at the end", "[staging]") {
  TempDir dir;
  StagingStore store(dir.path, test::fixed_key(1));
  store.create(1);
  constexpr std::size_t kBlocks = 1000;  // ~4 MiB: about 16 runs of 64 blocks
  constexpr std::size_t kSize = kBlocks * kCap;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    try {
      StagedFile file = store.open(1);
      for (int round = 0; round < 30; ++round) {
        const Bytes fill(kSize, static_cast<uint8_t>(round % 250 + 1));  // one value per round: a block is uniform
        file.write(0, fill);
        file.truncate(kSize / (2 + round % 3));
      }
    } catch (...) {
      ++failures;
    }
    done = true;
  });
  std::size_t reads = 0, short_reads = 0;
  {
    StagedFile file = store.open(1);
    Bytes out(kSize);
    while (!done || reads == 0) {
      const std::size_t n = file.read(0, out);  // throws EIO on a torn block
      REQUIRE(n <= kSize);
      ++reads;
      if (n < kSize) ++short_reads;
      for (std::size_t b = 0; b * kCap < n; ++b) {
        const auto first = out.begin() + static_cast<std::ptrdiff_t>(b * kCap);
        const auto last = out.begin() + static_cast<std::ptrdiff_t>(std::min(n, (b + 1) * kCap));
        REQUIRE(std::all_of(first, last, [&](uint8_t v) { return v == *first; }));
      }
    }
  }
  writer.join();
  REQUIRE(failures == 0);
  INFO(reads << " reads, " << short_reads << " short");
  REQUIRE(reads > 0);
}
