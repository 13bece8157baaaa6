#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "protectedfs/format/zip_reader.hpp"
#include "protectedfs/format/zip_writer.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::format;

namespace {

struct MemorySink : ByteSink {
  Bytes data;
  void write(ByteView d) override { data.insert(data.end(), d.begin(), d.end()); }
};

// Records small writes and treats writes of ≥ 1 MiB as zeros, so multi-GiB archives can be tested in little memory.
struct SparseSink : ByteSink, RandomAccessSource {
  std::map<uint64_t, Bytes> recorded;
  uint64_t length = 0;
  void write(ByteView d) override {
    if (d.size() < (1u << 20)) recorded[length] = Bytes(d.begin(), d.end());
    length += d.size();
  }
  uint64_t size() const override { return length; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    std::fill(out.begin(), out.end(), 0);
    for (const auto& [at, bytes] : recorded)
      for (std::size_t i = 0; i < bytes.size(); ++i)
        if (at + i >= offset && at + i < offset + out.size()) out[at + i - offset] = bytes[i];
  }
};

const DosTime kVectorStamp{0x2d18, 0x5d78};

}  // namespace

TEST_CASE("zip writer reproduces the SDK's createZipFromObject bytes", "[format][zip]") {
  auto v = test::load_vectors("zip.json");
  MemorySink sink;
  ZipWriter zip(sink, kVectorStamp);
  for (const auto& entry : v["entries"]) {
    const std::string path = entry["path"];
    if (entry["dir"]) {
      zip.add_directory(path);
    } else {
      zip.add_file(path, from_hex(v["entry_bytes_hex"][path].get<std::string>()));
    }
  }
  zip.finish();
  CHECK(to_hex(sink.data) == v["zip_hex"].get<std::string>());
  CHECK(zip.bytes_written() == sink.data.size());
}

TEST_CASE("zip reader reads the SDK's zip entry by entry", "[format][zip]") {
  auto v = test::load_vectors("zip.json");
  MemorySource source(from_hex(v["zip_hex"].get<std::string>()));
  ZipReader reader(source);
  REQUIRE(reader.entries().size() == v["entries"].size());
  for (std::size_t i = 0; i < reader.entries().size(); ++i) {
    const auto& e = reader.entries()[i];
    CHECK(e.name == v["entries"][i]["path"].get<std::string>());
    CHECK(e.directory == v["entries"][i]["dir"].get<bool>());
    if (!e.directory) CHECK(to_hex(reader.read_all(e)) == v["entry_bytes_hex"][e.name].get<std::string>());
  }
  Bytes part(3);
  reader.read_range(*reader.find("email"), 4, part);
  CHECK(as_chars(part) == "ali");
}

TEST_CASE("streamed entries without a known CRC use data descriptors and read back", "[format][zip]") {
  MemorySink sink;
  ZipWriter zip(sink, kVectorStamp);
  Bytes big = test::generated_bytes(3 * 100000 + 7, 5);
  zip.begin_file("blob", big.size());
  zip.write(ByteView(big).first(100000));
  zip.write(ByteView(big).subspan(100000));
  zip.end_file();
  zip.add_directory("d/");
  zip.begin_file("d/text", 5, Crc32::of(as_bytes("hello")));
  zip.write(as_bytes("hello"));
  zip.end_file();
  zip.finish();
  MemorySource source(sink.data);
  ZipReader reader(source);
  REQUIRE(reader.entries().size() == 3);
  CHECK(reader.read_all(reader.entries()[0]) == big);
  CHECK(as_chars(reader.read_all(*reader.find("d/text"))) == "hello");
}

TEST_CASE("an entry of unknown size (written while its file grows) has ZIP64 sizes and reads back", "[format][zip]") {
  MemorySink sink;
  ZipWriter zip(sink, kVectorStamp);
  const Bytes big = test::generated_bytes(250000, 6);
  zip.begin_streamed_file("a/grown");
  zip.write(ByteView(big).first(1000));
  zip.write(ByteView(big).subspan(1000));
  zip.end_file();
  zip.begin_file("after", 5, Crc32::of(as_bytes("hello")));
  zip.write(as_bytes("hello"));
  zip.end_file();
  zip.finish();
  // Local header: version 45, flag bit 3, zeros for CRC and sizes, a ZIP64 extra of zeros; then the data and an
  // 8-byte-size data descriptor.
  CHECK(sink.data[4] == 45);
  CHECK((sink.data[6] & 0x08) != 0);
  CHECK(std::all_of(sink.data.begin() + 14, sink.data.begin() + 18, [](uint8_t b) { return b == 0; }));
  MemorySource source(sink.data);
  ZipReader reader(source);
  REQUIRE(reader.entries().size() == 2);
  const ZipEntry* grown = reader.find("a/grown");
  REQUIRE(grown);
  CHECK(grown->size == big.size());
  CHECK(grown->crc == Crc32::of(big));
  CHECK(reader.read_all(*grown) == big);
  CHECK(as_chars(reader.read_all(*reader.find("after"))) == "hello");
}

TEST_CASE("zip writer refuses misuse", "[format][zip]") {
  MemorySink sink;
  ZipWriter zip(sink, kVectorStamp);
  CHECK_THROWS_AS(zip.add_directory("noslash"), Error);
  CHECK_THROWS_AS(zip.add_file("/abs", {}), Error);
  zip.begin_file("f", 4);
  CHECK_THROWS_AS(zip.write(as_bytes("12345")), Error);
  zip.write(as_bytes("12"));
  CHECK_THROWS_AS(zip.end_file(), Error);
  ZipWriter zip2(sink, kVectorStamp);
  zip2.begin_file("f", 2, 0x1234);
  zip2.write(as_bytes("ab"));
  CHECK_THROWS_AS(zip2.end_file(), Error);  // the content does not match the CRC announced
}

TEST_CASE("entries and archives past 4 GiB use ZIP64 records", "[format][zip]") {
  SparseSink sink;
  ZipWriter zip(sink, kVectorStamp);
  const uint64_t big = (uint64_t{1} << 32) + 12345;  // 4 GiB + a bit, all zeros
  zip.add_file("first", as_bytes("x"));
  zip.begin_file("huge", big);
  Bytes zeros(1 << 22);
  for (uint64_t left = big; left > 0;) {
    const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(left, zeros.size()));
    zip.write(ByteView(zeros).first(n));
    left -= n;
  }
  zip.end_file();
  zip.add_file("after", as_bytes("tail"));  // local header offset past 4 GiB
  zip.finish();
  ZipReader reader(sink);
  REQUIRE(reader.entries().size() == 3);
  CHECK(reader.find("huge")->size == big);
  CHECK(reader.find("after")->local_offset > 0xffffffffu);
  CHECK(as_chars(reader.read_all(*reader.find("after"))) == "tail");
  Bytes probe(4);
  reader.read_range(*reader.find("huge"), big - 4, probe);
  CHECK(probe == Bytes(4, 0));
}

TEST_CASE("zip reader rejects malformed and hostile archives with EBADMSG", "[format][zip]") {
  auto v = test::load_vectors("zip.json");
  const Bytes good = from_hex(v["zip_hex"].get<std::string>());
  auto code_of = [](const Bytes& data) {
    return test::errno_of([&] {
      MemorySource s(data);
      ZipReader r(s);
      for (const auto& e : r.entries()) r.read_all(e);
    });
  };
  CHECK(code_of(Bytes(good.begin(), good.begin() + 100)) == EBADMSG);
  CHECK(code_of(Bytes{}) == EBADMSG);
  Bytes flipped = good;
  flipped[40] ^= 0xff;  // inside "email"'s data: the CRC no longer matches
  CHECK(code_of(flipped) == EBADMSG);

  auto make = [](const std::string& name) {
    struct S : ByteSink {
      Bytes data;
      void write(ByteView d) override { data.insert(data.end(), d.begin(), d.end()); }
    } sink;
    ZipWriter z(sink, kVectorStamp);
    z.add_file(name, as_bytes("x"));
    z.finish();
    return sink.data;
  };
  CHECK(code_of(make("../evil")) == EBADMSG);
  CHECK(code_of(make("a/../../evil")) == EBADMSG);
  CHECK(code_of(make("a//b")) == EBADMSG);
  Bytes compressed = make("c");
  compressed[compressed.size() - 22 - 46 - 1 + 11] = 8;  // central record's method field → deflate
  CHECK(code_of(compressed) == ENOTSUP);

  // Random corruption never crashes and never yields anything but a named error.
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {
    Bytes mutated = good;
    for (int k = 0; k < 1 + i % 4; ++k) mutated[rng() % mutated.size()] = static_cast<uint8_t>(rng());
    int code = code_of(mutated);
    CHECK((code == 0 || code == EBADMSG || code == ENOTSUP || code == EINVAL));
  }
}
