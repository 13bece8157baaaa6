// The cache on a full disk, with real RocksDB behind a file system that fails writes on demand. Debian's librocksdb
// keeps its assertions: a write or sync reaching a WAL file that already failed would abort this test binary, so
// every case here passing is also the proof that none does.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include "cache/guarded_db.hpp"
#include "protectedfs/cache/metadata_db.hpp"
#include "temp_dir.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::cache;

namespace {

// Writes (appends and syncs of any file RocksDB writes) fail with ENOSPC while `full`; creating an empty file still
// works, as on a full tmpfs. Counts what reaches the disk while full.
struct Disk {
  std::atomic<bool> full{false};
  std::atomic<int> refused{0};
};

class FaultyFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> file, Disk& disk)
      : FSWritableFileOwnerWrapper(std::move(file)), disk_(disk) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (refuse()) return rocksdb::IOStatus::NoSpace("injected");
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
    if (refuse()) return rocksdb::IOStatus::NoSpace("injected");
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (refuse()) return rocksdb::IOStatus::NoSpace("injected");
    return FSWritableFileOwnerWrapper::Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (refuse()) return rocksdb::IOStatus::NoSpace("injected");
    return FSWritableFileOwnerWrapper::Fsync(options, dbg);
  }

 private:
  bool refuse() {
    if (!disk_.full) return false;
    ++disk_.refused;
    return true;
  }
  Disk& disk_;
};

class FaultyFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultyFs(Disk& disk) : FileSystemWrapper(rocksdb::FileSystem::Default()), disk_(disk) {}
  const char* Name() const override { return "pfs-faulty"; }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* out,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus status = FileSystemWrapper::NewWritableFile(name, options, &file, dbg);
    if (status.ok()) *out = std::make_unique<FaultyFile>(std::move(file), disk_);
    return status;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* out,
                                       rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus status = FileSystemWrapper::ReopenWritableFile(name, options, &file, dbg);
    if (status.ok()) *out = std::make_unique<FaultyFile>(std::move(file), disk_);
    return status;
  }

 private:
  Disk& disk_;
};

// A disk that fails on demand, the free space it reports and a clock, all in the test's hands.
struct Harness {
  Disk disk;
  std::atomic<uint64_t> free = 0;
  std::chrono::steady_clock::time_point clock{};
  std::shared_ptr<rocksdb::Env> env{rocksdb::NewCompositeEnv(std::make_shared<FaultyFs>(disk))};

  DbHooks hooks() {
    return {
        .env = env, .free_bytes = [this](const std::string&) { return free.load(); }, .now = [this] { return clock; }};
  }
  void space_back() {
    disk.full = false;
    free = 1ull << 30;
    clock += GuardedDb::kRecoveryInterval;
  }
};

MasterKey master() {
  MasterKey key;
  key.fill(9);
  return key;
}

core::NodeRecord node(uint64_t ino, const std::string& name) {
  core::NodeRecord n;
  n.ino = ino;
  n.parent = 1;
  n.name = name;
  n.kind = 2;
  n.mode = 0100600;
  return n;
}

std::set<std::string> names(MetadataDb& db) {
  std::set<std::string> out;
  for (const auto& n : db.tree().load()) out.insert(n.name);
  return out;
}

}  // namespace

TEST_CASE("a failed write suspends the cache: nothing more reaches the disk, reads go on, closing is clean",
          "[cache][disk]") {
  test::TempDir tmp;
  Harness h;
  {
    MetadataDb db(tmp.path, master(), h.hooks());
    db.tree().put(node(2, "before"));
    db.journal().put(2, "pending publish");
    db.tree().sync();
    CHECK(db.trouble().empty());

    h.disk.full = true;
    CHECK(test::errno_of([&] { db.tree().put(node(3, "refused")); }) == ENOSPC);
    const int refused = h.disk.refused;
    CHECK(refused >= 1);
    CHECK(db.trouble().find("read-only: no space left") == 0);

    // Suspended: every write and sync fails at once (the space check says the disk is still full), and none of
    // them reaches a file: a sync of the failed WAL is what aborted the daemon at unmount.
    CHECK(test::errno_of([&] { db.tree().sync(); }) == ENOSPC);
    CHECK(test::errno_of([&] { db.tree().put(node(4, "refused too")); }) == ENOSPC);
    CHECK(test::errno_of([&] { db.tree().erase(2); }) == ENOSPC);
    CHECK(test::errno_of([&] { db.journal().put(2, "step done"); }) == ENOSPC);
    CHECK(test::errno_of([&] { db.keys().put("0xab", "a2V5"); }) == ENOSPC);
    CHECK(h.disk.refused == refused);
    try {
      db.tree().put(node(5, "why"));
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("cache: writing n/5: cache writes are suspended since") == 0);
      CHECK(std::string(e.what()).find("No space left on device") != std::string::npos);
    }

    // Reads go on: the tree and the journal as acknowledged.
    CHECK(names(db) == std::set<std::string>{"before"});
    CHECK(db.journal().get(2) == "pending publish");
  }  // closed while suspended: no sync, no abort
  CHECK(h.disk.refused >= 1);

  h.disk.full = false;
  MetadataDb db(tmp.path, master(), h.hooks());
  CHECK(db.trouble().empty());
  CHECK(names(db) == std::set<std::string>{"before"});
  CHECK(db.journal().load() == std::map<uint64_t, std::string>{{2, "pending publish"}});
}

TEST_CASE("a suspended cache resumes by itself once space is back, not before, at most once a second",
          "[cache][disk]") {
  test::TempDir tmp;
  Harness h;
  {
    MetadataDb db(tmp.path, master(), h.hooks());
    for (uint64_t ino = 2; ino < 200; ++ino)
      db.tree().put(node(ino, std::string("n").append(std::to_string(ino))));  // not "n" + …: GCC 12 -Wrestrict
    h.disk.full = true;
    CHECK(test::errno_of([&] { db.tree().put(node(200, "refused")); }) == ENOSPC);

    h.disk.full = false;  // space is back, but the cache does not know yet:
    h.clock += GuardedDb::kRecoveryInterval;
    h.free = GuardedDb::kRecoverySpace - 1;  // not enough free yet
    CHECK(test::errno_of([&] { db.tree().put(node(201, "still refused")); }) == ENOSPC);
    h.free = GuardedDb::kRecoverySpace;
    h.clock -= GuardedDb::kRecoveryInterval;  // too soon after the last attempt
    CHECK(test::errno_of([&] { db.tree().put(node(201, "still refused")); }) == ENOSPC);
    h.clock += GuardedDb::kRecoveryInterval;
    db.tree().put(node(201, "after"));  // resumes (DB::Resume), then writes
    CHECK(db.trouble().empty());
    db.tree().sync();
    db.journal().put(7, "resumed");
    CHECK(names(db).count("after") == 1);
    CHECK(names(db).count("refused") == 0);
    CHECK(names(db).size() == 199);
  }
  MetadataDb db(tmp.path, master(), h.hooks());
  CHECK(names(db).size() == 199);
  CHECK(db.journal().get(7) == "resumed");
}

TEST_CASE("a recovery tried while the disk is still full reopens read-only, and a later one read-write",
          "[cache][disk]") {
  test::TempDir tmp;
  Harness h;
  {
    MetadataDb db(tmp.path, master(), h.hooks());
    db.tree().put(node(2, "before"));
    h.disk.full = true;
    CHECK(test::errno_of([&] { db.tree().put(node(3, "refused")); }) == ENOSPC);
    // The free space says yes but the disk says no (another process took the space back): Resume fails, RocksDB
    // gives up on this handle for good, the reopen fails too, and the cache stays readable through a read-only
    // handle.
    h.free = 1ull << 30;
    h.clock += GuardedDb::kRecoveryInterval;
    CHECK(test::errno_of([&] { db.tree().put(node(3, "refused")); }) == ENOSPC);
    CHECK_FALSE(db.trouble().empty());
    CHECK(names(db) == std::set<std::string>{"before"});

    h.space_back();
    db.tree().put(node(4, "after"));  // reopened read-write
    db.tree().sync();
    CHECK(db.trouble().empty());
  }
  MetadataDb db(tmp.path, master(), h.hooks());
  CHECK(names(db) == std::set<std::string>{"before", "after"});
}

TEST_CASE("a cache that cannot be opened for lack of space opens read-only, then writable once space is back",
          "[cache][disk]") {
  test::TempDir tmp;
  Harness h;
  {
    MetadataDb db(tmp.path, master(), h.hooks());
    db.tree().put(node(2, "published"));
    db.journal().put(2, "pending publish");
  }
  h.disk.full = true;
  MetadataDb db(tmp.path, master(), h.hooks());
  CHECK(db.trouble().find("read-only: no space left on the disk of " + tmp.path.string()) == 0);
  CHECK(names(db) == std::set<std::string>{"published"});
  CHECK(db.journal().load() == std::map<uint64_t, std::string>{{2, "pending publish"}});
  CHECK(test::errno_of([&] { db.tree().put(node(3, "refused")); }) == ENOSPC);
  CHECK(test::errno_of([&] { db.tree().sync(); }) == ENOSPC);

  h.space_back();
  db.journal().erase(2);  // the pending publish completes
  db.tree().put(node(3, "new"));
  CHECK(db.trouble().empty());
  CHECK(names(db) == std::set<std::string>{"published", "new"});
  CHECK(db.journal().load().empty());
}
