// The read-ahead that overlaps a large leaf's read with the encryption: pieces in order (also with several readers
// taking turns and more buffers), the reader's error rethrown at its piece, and readers given up midway joined
// without a hang.
#include <catch2/catch.hpp>

#include "pipeline/read_ahead.hpp"
#include "protectedfs/util/error.hpp"
#include "vectors.hpp"

using namespace pfs;

namespace {

// Fails every read that reaches `fail_at`, as a staged field that shrank or a disk error would.
class FailingSource final : public RandomAccessSource {
 public:
  FailingSource(uint64_t size, uint64_t fail_at) : size_(size), fail_at_(fail_at) {}
  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    if (offset + out.size() > fail_at_) throw Error(EIO, "disk error");
    std::fill(out.begin(), out.end(), static_cast<uint8_t>(offset >> 10));
  }

 private:
  uint64_t size_, fail_at_;
};

}  // namespace

TEST_CASE("read-ahead returns the source's bytes in order, in pieces", "[pipeline]") {
  const Bytes bytes = test::generated_bytes(5 * 4096 + 3, 7);
  const MemorySource source(bytes);
  const auto [buffers, readers] =
      GENERATE(std::pair<std::size_t, std::size_t>{2, 1}, std::pair<std::size_t, std::size_t>{3, 2},
               std::pair<std::size_t, std::size_t>{4, 3}, std::pair<std::size_t, std::size_t>{2, 5});
  for (const uint64_t length : {uint64_t{0}, uint64_t{1}, uint64_t{4096}, uint64_t{bytes.size()}}) {
    pipeline::ReadAhead reader(source, length, 4096, buffers, readers);
    Bytes back;
    for (ByteView piece = reader.next(); !piece.empty(); piece = reader.next()) {
      CHECK(piece.size() <= 4096);
      back.insert(back.end(), piece.begin(), piece.end());
    }
    CHECK(back == Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length)));
    CHECK(reader.next().empty());
  }
}

TEST_CASE("read-ahead rethrows the reader's error and stops cleanly when given up", "[pipeline]") {
  const FailingSource source(10 * 4096, 3 * 4096);
  const std::size_t readers = GENERATE(1, 2, 3);
  {
    pipeline::ReadAhead reader(source, source.size(), 4096, 4, readers);
    int pieces = 0;
    CHECK(test::errno_of([&] {
            while (!reader.next().empty()) ++pieces;
          }) == EIO);
    CHECK(pieces == 3);
  }
  {
    pipeline::ReadAhead reader(source, 2 * 4096, 4096, 4, readers);
    CHECK(reader.next().size() == 4096);  // destroyed with a piece still unread
  }
}
