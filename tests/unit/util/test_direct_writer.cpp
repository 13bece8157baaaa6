// DirectWriter: what reaches the file is what was written, whatever the pieces' sizes (the local content store's
// test covers the round trip on a real file system); after a failed write every call fails rather than append.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include "protectedfs/util/file.hpp"
#include "temp_dir.hpp"
#include "vectors.hpp"

using namespace pfs;

TEST_CASE("direct writer: the file holds the bytes written, in pieces of any size", "[util]") {
  test::TempDir dir;
  const Bytes bytes = test::generated_bytes((2 << 20) + 5000, 9);
  const auto path = dir.path / "out";
  {
    UniqueFd fd = open_file(path, O_WRONLY | O_CREAT | O_TRUNC);
    DirectWriter writer(fd.get(), path.string(), 64 << 10);
    for (std::size_t at = 0, piece = 1; at < bytes.size(); piece = piece * 3 + 1) {
      const std::size_t n = std::min(piece % 300000, bytes.size() - at);
      writer.write(ByteView(bytes).subspan(at, n));
      at += n;
    }
    writer.finish();
  }
  const auto back = read_whole_file(path);
  REQUIRE(back.has_value());
  CHECK(Bytes(back->begin(), back->end()) == bytes);
}

TEST_CASE("direct writer: after a failed write every call fails with EIO", "[util]") {
  UniqueFd fd = open_file("/dev/full", O_WRONLY);
  DirectWriter writer(fd.get(), "/dev/full", 4096);
  const Bytes bytes = test::generated_bytes(10000, 1);
  CHECK(test::errno_of([&] {
          writer.write(bytes);
          writer.finish();
        }) == ENOSPC);
  CHECK(test::errno_of([&] { writer.finish(); }) == EIO);
  CHECK(test::errno_of([&] { writer.write(bytes); }) == EIO);
}
