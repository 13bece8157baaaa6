#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include "cache/node_codec.hpp"
#include "cache/options.hpp"
#include "protectedfs/cache/metadata_db.hpp"
#include "temp_dir.hpp"  // tests/unit/temp_dir.hpp
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::cache;

namespace {

MasterKey master(uint8_t seed) {
  MasterKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + i * 7);
  return key;
}

core::NodeRecord node(uint64_t ino, uint64_t parent, const std::string& name) {
  core::NodeRecord n;
  n.ino = ino;
  n.parent = parent;
  n.name = name;
  n.kind = 2;
  n.mode = 0100600;
  n.size = ino * 1000;
  n.mtime_ns = 1'700'000'000'123'456'789;
  n.ctime_ns = -5;
  n.uid = 1000;
  n.gid = 1000;
  n.xattrs = {{"user.note", std::string("\0\xff", 2)}};
  n.data_info = R"({"dataset":"0x1"})";
  return n;
}

// prefix + n, spelled out: GCC 12's -Wrestrict misfires on "literal" + std::to_string(n) at -O3.
std::string numbered(std::string prefix, uint64_t n) { return prefix.append(std::to_string(n)); }

std::map<uint64_t, core::NodeRecord> by_ino(const std::vector<core::NodeRecord>& nodes) {
  std::map<uint64_t, core::NodeRecord> out;
  for (const auto& n : nodes) REQUIRE(out.emplace(n.ino, n).second);
  return out;
}

void check_node(const core::NodeRecord& got, const core::NodeRecord& want) {
  CHECK(got.ino == want.ino);
  CHECK(got.parent == want.parent);
  CHECK(got.name == want.name);
  CHECK(got.kind == want.kind);
  CHECK(got.mode == want.mode);
  CHECK(got.size == want.size);
  CHECK(got.mtime_ns == want.mtime_ns);
  CHECK(got.ctime_ns == want.ctime_ns);
  CHECK(got.uid == want.uid);
  CHECK(got.gid == want.gid);
  CHECK(got.type == want.type);
  CHECK(got.xattrs == want.xattrs);
  CHECK(got.data_info == want.data_info);
}

// Raw access to the database behind a closed MetadataDb, as an attacker with the disk would have.
std::unique_ptr<rocksdb::DB> open_raw(const std::string& dir) {
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(metadata_db_options(), dir, &db).ok());
  return std::unique_ptr<rocksdb::DB>(db);
}

std::string raw_get(rocksdb::DB& db, const std::string& key) {
  std::string value;
  REQUIRE(db.Get(rocksdb::ReadOptions(), key, &value).ok());
  return value;
}

std::string ino_key(char kind, uint64_t ino) {
  std::string key{kind, '/'};
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>((ino >> shift) & 0xff));
  return key;
}

std::size_t encode_size(const core::NodeRecord& n) { return encode_node(n).size(); }

int wait_child(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("tree records persist across a clean reopen, and erase and overwrite are honoured", "[cache]") {
  test::TempDir tmp;
  const std::string dir = tmp.sub("a/b/cache");  // missing parents are created
  {
    MetadataDb db(dir, master(1));
    CHECK(db.tree().load().empty());
    for (uint64_t ino = 1; ino <= 300; ++ino) db.tree().put(node(ino, ino / 2, numbered("f", ino)));
    for (uint64_t ino = 2; ino <= 300; ino += 3) db.tree().erase(ino);
    db.tree().put(node(7, 1, "renamed"));
    db.tree().erase(100'000);  // erasing a missing node is not an error
  }
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  MetadataDb db(dir, master(1));
  const auto nodes = by_ino(db.tree().load());
  CHECK(nodes.size() == 200);
  for (uint64_t ino = 1; ino <= 300; ++ino) {
    if (ino % 3 == 2) {
      CHECK(nodes.count(ino) == 0);
    } else {
      REQUIRE(nodes.count(ino) == 1);
      check_node(nodes.at(ino), ino == 7 ? node(7, 1, "renamed") : node(ino, ino / 2, numbered("f", ino)));
    }
  }
  // Tree records sit next to keys and journal entries: load returns only nodes.
  db.keys().put("0xAbC", "a2V5");
  db.journal().put(5, "{}");
  CHECK(db.tree().load().size() == 200);
}

// An entry and its folder's new times are one write: the records put and erased together, as one batch.
TEST_CASE("tree records put and erased together in one write", "[cache]") {
  test::TempDir tmp;
  const std::string dir = tmp.sub("cache");
  {
    MetadataDb db(dir, master(1));
    db.tree().put(node(2, 1, "gone"));
    const core::NodeRecord puts[] = {node(1, 1, "folder"), node(3, 1, "new")};
    const uint64_t erases[] = {2};
    db.tree().write(puts, erases);
  }
  MetadataDb db(dir, master(1));
  const auto nodes = by_ino(db.tree().load());
  REQUIRE(nodes.size() == 2);
  check_node(nodes.at(1), node(1, 1, "folder"));
  check_node(nodes.at(3), node(3, 1, "new"));
}

TEST_CASE("data keys round-trip, by address in any case, and are not stored in clear", "[cache]") {
  test::TempDir tmp;
  const std::string address = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4";
  const std::string key = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";
  {
    MetadataDb db(tmp.path, master(2));
    CHECK_FALSE(db.keys().get(address).has_value());
    db.keys().put(address, key);
    CHECK(db.keys().get(address) == key);
    db.keys().put(address, "b3RoZXI=");  // a later put replaces
    db.keys().put(address, key);
  }
  MetadataDb db(tmp.path, master(2));
  CHECK(db.keys().get(address) == key);
  CHECK(db.keys().get("0x5b38da6a701c568545dcfcb03fcb875f56beddc4") == key);
  CHECK_FALSE(db.keys().get("0x0000000000000000000000000000000000000000").has_value());
  CHECK(test::errno_of([&] { db.keys().put("", key); }) == EINVAL);
  db.tree().sync();

  // No file of the cache holds the key in clear.
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content.find(key) == std::string::npos);
  }
}

TEST_CASE("the publish journal loads, replaces and erases entries durably", "[cache]") {
  test::TempDir tmp;
  {
    MetadataDb db(tmp.path, master(3));
    CHECK(db.journal().load().empty());
    db.journal().put(10, R"({"step":"uploaded"})");
    db.journal().put(3, R"({"step":"encrypted","key":"…"})");
    db.journal().put(0xFFFF'FFFF'FFFF'FFFFull, "");
    db.journal().put(10, R"({"step":"registered"})");
    db.journal().erase(3);
    db.journal().erase(42);  // missing: fine
    db.tree().put(node(10, 1, "data"));
  }
  MetadataDb db(tmp.path, master(3));
  const auto entries = db.journal().load();
  CHECK(entries == std::map<uint64_t, std::string>{{10, R"({"step":"registered"})"}, {0xFFFF'FFFF'FFFF'FFFFull, ""}});
  db.journal().erase(10);
  CHECK(db.journal().load().size() == 1);
}

TEST_CASE("tampered, moved or wrong-key values are EIO naming the record", "[cache]") {
  test::TempDir tmp;
  const std::string address = "0xabcdef";
  {
    MetadataDb db(tmp.path, master(4));
    db.keys().put(address, "c2VjcmV0");
    db.keys().put("0x222222", "b3RoZXI=");
    db.journal().put(8, "entry");
  }
  SECTION("wrong master key") {
    MetadataDb db(tmp.path, master(5));
    CHECK(test::errno_of([&] { db.keys().get(address); }) == EIO);
    CHECK(test::errno_of([&] { db.journal().load(); }) == EIO);
    try {
      db.journal().load();
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("cache record j/8") != std::string::npos);
    }
  }
  SECTION("a flipped byte") {
    {
      auto raw = open_raw(tmp.path);
      std::string value = raw_get(*raw, "k/" + address);
      value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x20);
      REQUIRE(raw->Put(rocksdb::WriteOptions(), "k/" + address, value).ok());
      value = raw_get(*raw, ino_key('j', 8));
      value.resize(10);  // truncated
      REQUIRE(raw->Put(rocksdb::WriteOptions(), ino_key('j', 8), value).ok());
    }
    MetadataDb db(tmp.path, master(4));
    try {
      db.keys().get(address);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == EIO);
      CHECK(std::string(e.what()).find("k/0xabcdef") != std::string::npos);
      CHECK(std::string(e.what()).find("c2VjcmV0") == std::string::npos);
    }
    CHECK(test::errno_of([&] { db.journal().load(); }) == EIO);
    CHECK(db.keys().get("0x222222") == "b3RoZXI=");  // the others still read
  }
  SECTION("a valid value moved under another record") {
    {
      auto raw = open_raw(tmp.path);
      REQUIRE(raw->Put(rocksdb::WriteOptions(), "k/0x222222", raw_get(*raw, "k/" + address)).ok());
      REQUIRE(raw->Put(rocksdb::WriteOptions(), ino_key('j', 9), raw_get(*raw, ino_key('j', 8))).ok());
    }
    MetadataDb db(tmp.path, master(4));
    CHECK(db.keys().get(address) == "c2VjcmV0");
    CHECK(test::errno_of([&] { db.keys().get("0x222222"); }) == EIO);
    CHECK(test::errno_of([&] { db.journal().load(); }) == EIO);
  }
  SECTION("a corrupt tree record") {
    {
      auto raw = open_raw(tmp.path);
      REQUIRE(raw->Put(rocksdb::WriteOptions(), ino_key('n', 12), "garbage").ok());
    }
    MetadataDb db(tmp.path, master(4));
    try {
      db.tree().load();
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == EIO);
      CHECK(std::string(e.what()).find("cache record n/12") != std::string::npos);
    }
  }
}

TEST_CASE("tree records are sealed: names and local attribute values are not on the disk in clear", "[cache]") {
  test::TempDir tmp;
  core::NodeRecord secret = node(3, 1, "hiv-test-result-2024.pdf");
  secret.xattrs = {{"user.comment", "diagnosis: positive"}};
  {
    MetadataDb db(tmp.path, master(6));
    db.tree().put(secret);
    db.tree().put(node(4, 1, "other"));
    db.tree().sync();
  }
  // Nowhere in the database's files (write-ahead log, tables), nor in any value read raw.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp.path)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path());
    CHECK(bytes.find("hiv-test-result") == std::string::npos);
    CHECK(bytes.find("diagnosis") == std::string::npos);
  }
  {
    auto raw = open_raw(tmp.path);
    CHECK(raw_get(*raw, ino_key('n', 3)).find("hiv-test") == std::string::npos);
    // A sealed record moved under another inode does not decrypt (the record key is the associated data).
    REQUIRE(raw->Put(rocksdb::WriteOptions(), ino_key('n', 5), raw_get(*raw, ino_key('n', 3))).ok());
  }
  MetadataDb db(tmp.path, master(6));
  CHECK(test::errno_of([&] { db.tree().load(); }) == EIO);
  db.tree().erase(5);
  const auto nodes = by_ino(db.tree().load());
  REQUIRE(nodes.size() == 2);
  check_node(nodes.at(3), secret);
}

TEST_CASE("a cache written before sealing has its plain tree records sealed when opened", "[cache]") {
  test::TempDir tmp;
  {
    rocksdb::Options options = metadata_db_options();
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, tmp.path.string(), &db).ok());
    std::unique_ptr<rocksdb::DB> owned(db);
    REQUIRE(db->Put(rocksdb::WriteOptions(), ino_key('n', 2), encode_node(node(2, 1, "old-plain-name"))).ok());
  }
  {
    MetadataDb db(tmp.path, master(7));
    const auto nodes = by_ino(db.tree().load());
    REQUIRE(nodes.size() == 1);
    check_node(nodes.at(2), node(2, 1, "old-plain-name"));
  }
  auto raw = open_raw(tmp.path);
  CHECK(raw_get(*raw, ino_key('n', 2)).find("old-plain-name") == std::string::npos);
  // From now on a plain record is refused, not read.
  REQUIRE(raw->Put(rocksdb::WriteOptions(), ino_key('n', 9), encode_node(node(9, 1, "injected"))).ok());
  raw.reset();
  MetadataDb db(tmp.path, master(7));
  CHECK(test::errno_of([&] { db.tree().load(); }) == EIO);
}

TEST_CASE("a cache directory opens in one place at a time (EBUSY)", "[cache]") {
  test::TempDir tmp;
  {
    MetadataDb first(tmp.path, master(6));
    try {
      MetadataDb second(tmp.path, master(6));
      FAIL("opened twice");
    } catch (const Error& e) {
      CHECK(e.code() == EBUSY);
      CHECK(std::string(e.what()) == "cache " + tmp.path.string() + " is in use by another protectedfs");
    }
    first.tree().put(node(1, 1, "still usable"));

    // Another process: the child's open must fail while this one holds the directory.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const int code = test::errno_of([&] { MetadataDb other(tmp.path, master(6)); });
      ::_exit(code == EBUSY ? 0 : 1);
    }
    const int status = wait_child(pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  MetadataDb again(tmp.path, master(6));  // released by the close
  CHECK(again.tree().load().size() == 1);
}

TEST_CASE("everything synced before a SIGKILL is there after reopening", "[cache]") {
  test::TempDir tmp;
  const std::string dir = tmp.sub("cache");
  const std::string marker = tmp.sub("synced");
  {
    MetadataDb db(dir, master(7));  // a record from an earlier, cleanly closed session
    db.tree().put(node(1, 1, "root"));
  }
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child never returns into Catch: any failure is an exit status the parent checks.
    try {
      auto* db = new MetadataDb(dir, master(7));  // never closed: the kill is the only ending
      for (uint64_t ino = 2; ino <= 5000; ++ino) db->tree().put(node(ino, 1, numbered("n", ino)));
      db->tree().erase(1);
      db->keys().put("0xfeed", "a2V5LWJhc2U2NA==");
      db->journal().put(77, "publishing");
      db->tree().sync();
      std::ofstream(marker) << ::getpid();
      // Not synced: with the default WAL these reached the kernel at put, so a kill (not a power loss) keeps
      // them too. Checked below so that a switch to manual_wal_flush can't weaken this unnoticed.
      db->tree().put(node(6000, 1, "after sync"));
      db->tree().erase(2);
    } catch (...) {
      ::_exit(3);
    }
    ::raise(SIGKILL);
    ::_exit(4);
  }
  const int status = wait_child(pid);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  std::string written_by;
  std::ifstream(marker) >> written_by;
  REQUIRE(written_by == std::to_string(pid));

  MetadataDb db(dir, master(7));  // the dead process's LOCK is gone with it
  const auto nodes = by_ino(db.tree().load());
  CHECK(nodes.size() == 4999);
  CHECK(nodes.count(1) == 0);
  CHECK(nodes.count(2) == 0);  // the unsynced erase and put after the marker
  CHECK(nodes.count(6000) == 1);
  for (uint64_t ino = 3; ino <= 5000; ino += 499) {
    REQUIRE(nodes.count(ino) == 1);
    check_node(nodes.at(ino), node(ino, 1, numbered("n", ino)));
  }
  CHECK(db.keys().get("0xfeed") == "a2V5LWJhc2U2NA==");
  CHECK(db.journal().load() == std::map<uint64_t, std::string>{{77, "publishing"}});
}

// The durability scheme on the cache's own options: an unsynced put doesn't fsync the WAL, FlushWAL(true) does, and
// so does a synced write (what keys and journal use) and an empty synced write (what TreeStore::sync issues: unlike
// FlushWAL, it goes through the write path, which refuses to touch a WAL that failed; cache/guarded_db.hpp).
TEST_CASE("sync() fsyncs the write-ahead log with the cache's options", "[cache]") {
  test::TempDir tmp;
  rocksdb::Options options = metadata_db_options();
  options.statistics = rocksdb::CreateDBStatistics();
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(options, tmp.path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  const auto syncs = [&] { return options.statistics->getTickerCount(rocksdb::WAL_FILE_SYNCED); };
  const auto wal_bytes = [&] { return options.statistics->getTickerCount(rocksdb::WAL_FILE_BYTES); };

  REQUIRE(db->Put(rocksdb::WriteOptions(), "n/x", "v").ok());
  CHECK(wal_bytes() > 0);  // written to the WAL (the kernel has it: survives a kill)
  CHECK(syncs() == 0);     // but not fsynced
  REQUIRE(db->FlushWAL(true).ok());
  CHECK(syncs() == 1);
  REQUIRE(db->FlushWAL(true).ok());  // nothing new: still a sync call (cheap)
  const uint64_t before = syncs();
  rocksdb::WriteOptions synced;
  synced.sync = true;
  REQUIRE(db->Put(synced, "k/x", "v").ok());
  CHECK(syncs() == before + 1);
  rocksdb::WriteBatch empty;
  REQUIRE(db->Write(synced, &empty).ok());
  CHECK(syncs() == before + 2);
}

TEST_CASE("cache tree put and sync latency", "[.bench]") {
  test::TempDir tmp;
  MetadataDb db(tmp.path, master(8));
  constexpr int kPuts = 100'000;
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  for (uint64_t i = 0; i < uint64_t{kPuts}; ++i) db.tree().put(node(i + 1, 1, numbered("file-", i)));
  const double put_us = std::chrono::duration<double, std::micro>(clock::now() - start).count() / kPuts;

  constexpr int kSyncs = 200;
  double sync_us = 0;
  for (int round = 0; round < kSyncs; ++round) {
    for (int i = 0; i < 10; ++i) db.tree().put(node(static_cast<uint64_t>(round * 10 + i) + 1, 1, "again"));
    const auto t = clock::now();
    db.tree().sync();
    sync_us += std::chrono::duration<double, std::micro>(clock::now() - t).count();
  }
  // Baseline in the same run: RocksDB alone with the same options and a value of the same size.
  test::TempDir raw_dir;
  auto raw = open_raw(raw_dir.path);
  const std::string value(encode_size(node(1, 1, "file-00000")), 'x');
  const auto raw_start = clock::now();
  bool all_ok = true;
  for (uint64_t i = 0; i < uint64_t{kPuts}; ++i)
    all_ok &= raw->Put(rocksdb::WriteOptions(), ino_key('n', i), value).ok();
  REQUIRE(all_ok);
  const double raw_us = std::chrono::duration<double, std::micro>(clock::now() - raw_start).count() / kPuts;

  const auto t = clock::now();
  CHECK(db.tree().load().size() == kPuts);
  const double load_ms = std::chrono::duration<double, std::milli>(clock::now() - t).count();
  std::cout << "cache: " << put_us << " us per tree put (" << kPuts << "; bare RocksDB put " << raw_us << " us), "
            << sync_us / kSyncs << " us per sync after 10 puts, load of " << kPuts << " nodes " << load_ms << " ms\n";
}
