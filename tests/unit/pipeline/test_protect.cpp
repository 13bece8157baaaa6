#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>

#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/zip_reader.hpp"
#include "protectedfs/pipeline/protect.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::pipeline;

namespace {

struct Collect final : StreamConsumer {
  Bytes data;
  void consume(ByteView d) override { data.insert(data.end(), d.begin(), d.end()); }
};

struct Failing final : StreamConsumer {
  std::size_t seen = 0;
  void consume(ByteView d) override {
    seen += d.size();
    if (seen > 300000) throw Error(ENOSPC, "disk full (test)");
  }
};

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const Bytes& content) {
    char name[] = "/tmp/pfs-test-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ::close(fd);
    path = name;
  }
  ~TempFile() { std::filesystem::remove(path); }
  LeafSource source() const {
    return {path.string(), std::filesystem::file_size(path), [p = path] { return std::make_unique<FileSource>(p); }};
  }
};

}  // namespace

TEST_CASE("protect streams a plan into a file that decrypts to the same zip", "[pipeline]") {
  const Bytes big = test::generated_bytes(3 * 1048576 + 12345, 9);
  TempFile file(big);
  PackPlan plan;
  plan.items.push_back({.path = "email", .prefix = {5, 0, 0, 0, 'a', 'b', 'c', 'd', 'e'}});
  plan.items.push_back({.path = "nested/", .directory = true});
  plan.items.push_back({.path = "nested/blob", .content = file.source(), .content_bytes = big.size()});

  ProtectOptions options;
  options.slot_count = 3;
  options.slot_size = 64 * 1024;  // many slot turnovers
  options.read_size = 100000;     // reads not aligned with slots or AES blocks
  uint64_t last_progress = 0;
  options.progress = [&](uint64_t done, uint64_t total) {
    CHECK(done <= total);
    last_progress = done;
  };
  Collect out;
  ProtectedFile result = protect(plan, {&out}, options);

  CHECK(last_progress == plan.leaf_bytes());
  CHECK(out.data.size() == result.size);
  CHECK(result.size % 16 == 0);
  CHECK(result.checksum == to_hex0x(crypto::Sha256::digest(out.data)));
  CHECK(result.cid == format::CidBuilder::of(out.data).cid);
  CHECK(result.multiaddr.size() == 37);

  crypto::CbcDecryptingSource plain(std::make_shared<MemorySource>(out.data), result.key);
  format::ZipReader zip(plain);
  REQUIRE(zip.entries().size() == 3);
  CHECK(zip.read_all(*zip.find("email")) == plan.items[0].prefix);
  CHECK(zip.read_all(*zip.find("nested/blob")) == big);
}

TEST_CASE("a failing output stops the pipeline with its own error", "[pipeline]") {
  const Bytes big = test::generated_bytes(4 * 1048576, 1);
  TempFile file(big);
  PackPlan plan;
  plan.items.push_back({.path = "blob", .content = file.source(), .content_bytes = big.size()});
  Failing failing;
  ProtectOptions options;
  options.slot_count = 2;
  options.slot_size = 65536;
  try {
    protect(plan, {&failing}, options);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ENOSPC);
  }
}

TEST_CASE("a file that shrinks while packing is refused", "[pipeline]") {
  TempFile file(test::generated_bytes(1000, 1));
  PackPlan plan;
  plan.items.push_back({.path = "blob",
                        .content = {file.path.string(), 5000, [&] { return std::make_unique<FileSource>(file.path); }},
                        .content_bytes = 5000});
  Collect out;
  try {
    protect(plan, {&out}, {});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == EBUSY);
  }
}
