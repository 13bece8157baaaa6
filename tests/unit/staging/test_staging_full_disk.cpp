// Staging on a full disk: a write that does not fit fails and leaves the file as it was, now and after a reopen.
// The full disk is RLIMIT_FSIZE (writes past it fail with EFBIG, as they would with ENOSPC): deterministic, no root.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "protectedfs/util/error.hpp"
#include "staging_support.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::staging;
using pfs::test::errno_of;
using pfs::test::staging_support::TempDir;

namespace {

// Files of this process can't grow past `limit` bytes while it lives.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(uint64_t limit) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of killing the process
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(limit);
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &lowered) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_{};
};

uint64_t length_on_disk(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

TEST_CASE("staging: a write that does not fit fails, and the file is as it was, also after a reopen",
          "[staging][disk]") {
  TempDir dir;
  Bytes before(5000);
  for (std::size_t i = 0; i < before.size(); ++i) before[i] = static_cast<uint8_t>(i * 7);
  // Two runs of 64 blocks and more; large enough to be split with the write helper (staged_file.cpp), whose half
  // may fail while the writer's half lands, or the other way round; and a write of 1 MB, written behind
  // (write_behind.hpp) once its room is allocated: here the allocation fails, before the write returns.
  const Bytes big(GENERATE(std::size_t{300'000}, std::size_t{1'500'000}, std::size_t{1'000'000}), 0xab);
  uint64_t length = 0;
  {
    StagingStore store(dir.path, test::fixed_key(3));
    StagedFile file = store.create(9);
    file.write(0, before);
    file.sync();
    length = length_on_disk(test::staged_path(dir.path, 9));
    {
      FileSizeLimit full(length + 20 * 4096);  // room for part of the write only
      CHECK(errno_of([&] { file.write(before.size(), big); }) == EFBIG);
    }
    CHECK(file.size() == before.size());
    CHECK(length_on_disk(test::staged_path(dir.path, 9)) == length);  // what the failed write added is dropped
    Bytes read(before.size());
    REQUIRE(file.read(0, read) == before.size());
    CHECK(read == before);
  }
  StagingStore store(dir.path, test::fixed_key(3));
  StagedFile file = store.open(9);
  CHECK(file.size() == before.size());
  Bytes read(before.size());
  REQUIRE(file.read(0, read) == before.size());
  CHECK(read == before);
}
