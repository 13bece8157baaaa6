// Staging store: naming and listing, keys, tamper detection, recovery of what a crash leaves.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/util/file.hpp"
#include "staging_support.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::staging;
using pfs::test::errno_of;
using pfs::test::staging_support::kCap;
using pfs::test::staging_support::read_all;
using pfs::test::staging_support::TempDir;

namespace {

void flip_byte(const std::filesystem::path& path, uint64_t offset) {
  UniqueFd fd = open_file(path, O_RDWR);
  uint8_t byte = 0;
  pread_full(fd.get(), {&byte, 1}, offset, path.string());
  byte ^= 0x01;
  REQUIRE(::pwrite(fd.get(), &byte, 1, static_cast<off_t>(offset)) == 1);
}

std::string error_message(const auto& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("staging: create, open, exists, remove, list and their errors", "[staging]") {
  TempDir dir;
  StagingStore store(dir.path, test::fixed_key(1));
  REQUIRE(store.list().empty());
  REQUIRE_FALSE(store.exists(5));
  REQUIRE(errno_of([&] { store.open(5); }) == ENOENT);
  REQUIRE(errno_of([&] { store.remove(5); }) == ENOENT);
  StagedFile a = store.create(5);
  store.create(0xffffffffffffffffULL);
  store.create(3);
  REQUIRE(errno_of([&] { store.create(5); }) == EEXIST);
  REQUIRE(store.exists(5));
  REQUIRE(store.list() == std::vector<uint64_t>{3, 5, 0xffffffffffffffffULL});

  // Handles on one id share state.
  a.write(0, to_bytes("hello"));
  StagedFile b = store.open(5);
  REQUIRE(b.size() == 5);
  REQUIRE(b.id() == 5);

  // A removed file stays usable through its handles; the id can be created again, empty.
  store.remove(5);
  REQUIRE_FALSE(store.exists(5));
  REQUIRE(read_all(a) == to_bytes("hello"));
  StagedFile c = store.create(5);
  REQUIRE(c.size() == 0);
  REQUIRE(read_all(b) == to_bytes("hello"));

  // One store per directory.
  REQUIRE(errno_of([&] { StagingStore second(dir.path, test::fixed_key(1)); }) == EBUSY);
  REQUIRE(errno_of([&] { a.write(StagedFile::max_size(), to_bytes("x")); }) == EFBIG);
}

TEST_CASE("staging: the master key comes from the wallet and is needed to read", "[staging]") {
  const auto wallet1 =
      crypto::PrivateKey::from_hex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  const auto wallet2 =
      crypto::PrivateKey::from_hex("0x0123456789012345678901234567890123456789012345678901234567890123");
  const MasterKey k1 = derive_staging_key(wallet1);
  // crypto::derive_key of the wallet's secret, context "protectedfs staging master key v1" (hashlib.blake2b): the
  // staged files on disk are sealed under it, so it never changes.
  CHECK(to_hex(ByteView(k1.bytes())) == "d73b4954d1ce851314044e8d9400b86829a8fae7ad2eef9c9008490928553cdd");
  REQUIRE(std::equal(k1.bytes().begin(), k1.bytes().end(), derive_staging_key(wallet1).bytes().begin()));
  REQUIRE_FALSE(std::equal(k1.bytes().begin(), k1.bytes().end(), derive_staging_key(wallet2).bytes().begin()));
  REQUIRE_FALSE(std::equal(k1.bytes().begin(), k1.bytes().end(), wallet1.secret_bytes().begin()));

  TempDir dir;
  const Bytes secret = to_bytes("medical record: do not read");
  {
    StagingStore store(dir.path, k1);
    StagedFile file = store.create(9);
    file.write(0, secret);
  }
  // Nothing of the plaintext is on disk.
  Bytes raw(static_cast<std::size_t>(std::filesystem::file_size(test::staged_path(dir.path, 9))));
  FileSource(test::staged_path(dir.path, 9)).read_at(0, raw);
  REQUIRE(std::search(raw.begin(), raw.end(), secret.begin(), secret.begin() + 8) == raw.end());
  {
    StagingStore wrong(dir.path, derive_staging_key(wallet2));
    REQUIRE(errno_of([&] { wrong.open(9); }) == EIO);
    REQUIRE(error_message([&] { wrong.open(9); }).find("staged file 9 header failed authentication") == 0);
  }
  StagingStore right(dir.path, k1);
  REQUIRE(read_all(right.open(9)) == secret);
}

TEST_CASE("staging: tampering with a block or the header is EIO, other blocks stay readable", "[staging]") {
  TempDir dir;
  const Bytes data = test::generated_bytes(5 * kCap + 100, 1);
  const auto path = test::staged_path(dir.path, 4);
  {
    StagingStore store(dir.path, test::fixed_key(1));
    store.create(4).write(0, data);
  }
  SECTION("a flipped ciphertext byte") {
    flip_byte(path, 4096 + 2 * 4096 + 1000);
    StagingStore store(dir.path, test::fixed_key(1));
    StagedFile file = store.open(4);
    Bytes out(kCap);
    REQUIRE(error_message([&] { file.read(2 * kCap + 10, out); }) == "staged file 4 block 2 failed authentication");
    Bytes all(data.size());
    REQUIRE(errno_of([&] { file.read(0, all); }) == EIO);
    REQUIRE(file.read(3 * kCap, out) == kCap);  // blocks after it are fine
    REQUIRE(Bytes(out) == Bytes(data.begin() + 3 * kCap, data.begin() + 4 * kCap));
    REQUIRE(errno_of([&] { file.write(2 * kCap + 5, to_bytes("x")); }) == EIO);  // read-modify-write needs it
  }
  SECTION("a flipped nonce, length or tag byte") {
    for (const uint64_t where : {3, 25, 4090}) {
      flip_byte(path, 4096 + 4096 + where);
      {
        StagingStore store(dir.path, test::fixed_key(1));
        Bytes out(10);
        REQUIRE(errno_of([&] { store.open(4).read(kCap, out); }) == EIO);
      }
      flip_byte(path, 4096 + 4096 + where);
    }
    StagingStore store(dir.path, test::fixed_key(1));
    REQUIRE(read_all(store.open(4)) == data);
  }
  SECTION("two blocks swapped") {
    UniqueFd fd = open_file(path, O_RDWR);
    Bytes b1(4096), b3(4096);
    pread_full(fd.get(), b1, 4096 + 4096, "b1");
    pread_full(fd.get(), b3, 4096 + 3 * 4096, "b3");
    REQUIRE(::pwrite(fd.get(), b3.data(), 4096, 4096 + 4096) == 4096);
    REQUIRE(::pwrite(fd.get(), b1.data(), 4096, 4096 + 3 * 4096) == 4096);
    StagingStore store(dir.path, test::fixed_key(1));
    Bytes out(10);
    REQUIRE(errno_of([&] { store.open(4).read(kCap, out); }) == EIO);
  }
  SECTION("a file renamed to another id") {
    std::filesystem::rename(path, test::staged_path(dir.path, 8));
    StagingStore store(dir.path, test::fixed_key(1));
    REQUIRE(errno_of([&] { store.open(8); }) == EIO);
  }
  SECTION("a flipped header byte") {
    flip_byte(path, 20);
    StagingStore store(dir.path, test::fixed_key(1));
    REQUIRE(errno_of([&] { store.open(4); }) == EIO);
  }
  SECTION("a torn header") {
    std::filesystem::resize_file(path, 100);
    StagingStore store(dir.path, test::fixed_key(1));
    REQUIRE(errno_of([&] { store.open(4); }) == EIO);
  }
}

TEST_CASE("staging: opening trims what an unfinished extension leaves", "[staging]") {
  TempDir dir;
  const Bytes data = test::generated_bytes(3 * kCap + 7, 5);
  const auto path = test::staged_path(dir.path, 2);
  {
    StagingStore store(dir.path, test::fixed_key(1));
    store.create(2).write(0, data);
  }
  const uint64_t length = std::filesystem::file_size(path);
  SECTION("a partial block") {
    UniqueFd fd = open_file(path, O_WRONLY | O_APPEND);
    write_full(fd.get(), Bytes(1000, 0x5a), "append");
  }
  SECTION("zero blocks") { std::filesystem::resize_file(path, length + 3 * 4096); }
  SECTION("a stale temporary") { UniqueFd fd = open_file(dir.path / "0000000000000003.stg.tmp", O_WRONLY | O_CREAT); }
  StagingStore store(dir.path, test::fixed_key(1));
  REQUIRE(store.list() == std::vector<uint64_t>{2});
  StagedFile file = store.open(2);
  REQUIRE(file.size() == data.size());
  REQUIRE(read_all(file) == data);
  REQUIRE(std::filesystem::file_size(path) == length);
  REQUIRE_FALSE(std::filesystem::exists(dir.path / "0000000000000003.stg.tmp"));
}

TEST_CASE("staging: a last block that fails authentication leaves the others readable", "[staging]") {
  TempDir dir;
  const Bytes data = test::generated_bytes(3 * kCap + 7, 5);
  const auto path = test::staged_path(dir.path, 2);
  {
    StagingStore store(dir.path, test::fixed_key(1));
    store.create(2).write(0, data);
  }
  flip_byte(path, 4096 + 3 * 4096 + 100);
  StagingStore store(dir.path, test::fixed_key(1));
  StagedFile file = store.open(2);
  REQUIRE(file.size() == 4 * kCap);  // its length is unknown, so it counts as full
  Bytes head(3 * kCap);
  REQUIRE(file.read(0, head) == head.size());
  REQUIRE(head == Bytes(data.begin(), data.begin() + 3 * kCap));
  Bytes tail(10);
  REQUIRE(errno_of([&] { file.read(3 * kCap, tail); }) == EIO);
  file.truncate(3 * kCap);  // the way out: cut it off
  REQUIRE(read_all(file) == head);
}

TEST_CASE("staging: files made ahead (unnamed spares) appear only once created, each with its own header",
          "[staging]") {
  TempDir dir;
  {
    StagingStore store(dir.path, test::fixed_key(1));
    // More than the store keeps ready, so some come from the thread that refills them and some are made at once.
    for (uint64_t id = 1; id <= 200; ++id) store.create(id).write(0, to_bytes("file " + std::to_string(id)));
    REQUIRE(store.list().size() == 200);
    REQUIRE(errno_of([&] { store.create(7); }) == EEXIST);
  }
  std::size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    const std::string name = entry.path().filename().string();
    REQUIRE((name == ".lock" || name.ends_with(".stg")));
    ++entries;
  }
  REQUIRE(entries == 201);
  StagingStore reopened(dir.path, test::fixed_key(1));
  for (uint64_t id = 1; id <= 200; id += 37)
    REQUIRE(read_all(reopened.open(id)) == to_bytes("file " + std::to_string(id)));
}
