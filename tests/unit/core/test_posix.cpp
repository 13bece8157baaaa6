// The POSIX side of the core: who may act (callers), the lifecycle of unlinked nodes (lookup and open counts),
// access times, long names, failed creates, and changes that a publish would not see.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/xattr.h>

#include <functional>

#include "memory_stores.hpp"
#include "protectedfs/core/filesystem.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::core;
using pfs::test::MemoryContents;
using pfs::test::MemoryTree;

namespace {

constexpr uid_t kOwner = 1000;
const Caller kOther{65534, 65534};
const Caller kMountOwner{kOwner, kOwner};

// Contents and a tree store that fail on demand (a full disk), in front of the memory ones.
struct FaultyContents final : FieldContents {
  MemoryContents& inner;
  bool fail_create = false;
  explicit FaultyContents(MemoryContents& c) : inner(c) {}
  void create(uint64_t ino) override {
    if (fail_create) throw Error(ENOSPC, "no space left for a staged file");
    inner.create(ino);
  }
  void attach(uint64_t ino, const PublishedLeaf& leaf) override { inner.attach(ino, leaf); }
  std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) override {
    return inner.read(ino, offset, out);
  }
  void write(uint64_t ino, uint64_t offset, ByteView data) override { inner.write(ino, offset, data); }
  void truncate(uint64_t ino, uint64_t size) override { inner.truncate(ino, size); }
  void sync(uint64_t ino) override { inner.sync(ino); }
  void remove(uint64_t ino) override { inner.remove(ino); }
};
struct FaultyTree final : TreeStore {
  MemoryTree& inner;
  bool fail_put = false;
  explicit FaultyTree(MemoryTree& t) : inner(t) {}
  std::vector<NodeRecord> load() override { return inner.load(); }
  void put(const NodeRecord& r) override {
    if (fail_put) throw Error(ENOSPC, "no space left for the tree");
    inner.put(r);
  }
  void erase(uint64_t ino) override { inner.erase(ino); }
  void write(std::span<const NodeRecord> puts, std::span<const uint64_t> erases) override {
    if (fail_put && !puts.empty()) throw Error(ENOSPC, "no space left for the tree");
    inner.write(puts, erases);
  }
  void sync() override { inner.sync(); }
};

struct Fixture {
  MemoryContents memory;
  MemoryTree tree;
  FaultyContents contents{memory};
  FaultyTree store{tree};
  Filesystem fs{contents, store, kOwner, kOwner};
  std::vector<uint64_t> changes;
  std::vector<std::string> grant_changes;
  Fixture() {
    fs.set_events({.changed = [this](uint64_t data, const std::string&) { changes.push_back(data); },
                   .grants_changed = [this](uint64_t, const std::string& name) { grant_changes.push_back(name); }});
  }
  // A file created, written and closed, as `echo text > file` does.
  uint64_t file(uint64_t parent, const std::string& name, const std::string& text) {
    const uint64_t ino = fs.create(parent, name, 0644).ino;
    fs.write(ino, 0, as_bytes(text));
    fs.release(ino);
    return ino;
  }
  std::string read_all(uint64_t ino) {
    Bytes out(4096);
    out.resize(fs.read(ino, 0, out));
    return std::string(as_chars(out));
  }
};

timespec at(int64_t sec, long nsec = 0) { return {static_cast<time_t>(sec), nsec}; }
bool same_time(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

}  // namespace

TEST_CASE("callers: only the mounting uid acts with the wallet, new nodes belong to their creator", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "medical", 0777, kMountOwner).ino;
  CHECK(f.fs.getattr(d).uid == kOwner);
  // Another uid may add content where the modes let it (the kernel checks them): the node is its own.
  const Attributes mine = f.fs.create(d, "note.txt", 0600, kOther);
  CHECK(mine.uid == kOther.uid);
  CHECK(mine.gid == kOther.gid);
  const Attributes folder = f.fs.mkdir(d, "sub", 0700, kOther);
  CHECK(folder.uid == kOther.uid);
  // …but never a protected data, a grant, a revocation, a transfer or a type.
  CHECK(test::errno_of([&] { f.fs.mkdir(kRootIno, "evil", 0755, kOther); }) == EACCES);
  CHECK(test::errno_of([&] { f.fs.lookup(kRootIno, "evil"); }) == ENOENT);
  const std::string grant = "user.protected.grant.any.0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  CHECK(test::errno_of([&] { f.fs.setxattr(d, grant, "count=unlimited", 0, kOther); }) == EACCES);
  CHECK(f.grant_changes.empty());
  CHECK(test::errno_of([&] { f.fs.getxattr(d, grant); }) == ENODATA);
  f.fs.setxattr(d, grant, "count=1", 0, kMountOwner);
  CHECK(test::errno_of([&] { f.fs.removexattr(d, grant, kOther); }) == EACCES);
  CHECK(test::errno_of([&] { f.fs.removexattr(d, "user.protected.grants", kOther); }) == EACCES);
  CHECK(f.fs.getxattr(d, grant) == "price=0 count=1 remaining=1");
  CHECK(test::errno_of([&] {
          f.fs.setxattr(d, "user.protected.owner", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", 0, kOther);
        }) == EACCES);
  const uint64_t age = f.file(d, "age", "42");
  CHECK(test::errno_of([&] { f.fs.setxattr(age, "user.protected.type", "f64", 0, kOther); }) == EACCES);
  f.fs.setxattr(age, "user.protected.type", "f64", 0, kMountOwner);
  CHECK(test::errno_of([&] { f.fs.removexattr(age, "user.protected.type", kOther); }) == EACCES);
  CHECK(f.fs.getxattr(age, "user.protected.type") == "f64");
  // Removing or renaming a protected data is the owner's too; local attributes follow the modes only.
  CHECK(test::errno_of([&] { f.fs.rename(kRootIno, "medical", kRootIno, "mine", 0, kOther); }) == EACCES);
  const uint64_t empty = f.fs.mkdir(kRootIno, "empty", 0777).ino;
  CHECK(test::errno_of([&] { f.fs.rmdir(kRootIno, "empty", kOther); }) == EACCES);
  CHECK(f.fs.lookup(kRootIno, "empty").ino == empty);
  f.fs.setxattr(mine.ino, "user.comment", "mine", 0, kOther);
  CHECK(f.fs.getxattr(mine.ino, "user.comment") == "mine");

  // Ownership survives a remount.
  Filesystem again(f.contents, f.store, kOwner, kOwner);
  CHECK(again.getattr(mine.ino).uid == kOther.uid);
  CHECK(again.getattr(mine.ino).gid == kOther.gid);
}

TEST_CASE("an unlinked open field stays readable and writable until its last release", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const uint64_t kept = f.file(d, "kept.txt", "kept");
  const uint64_t ino = f.fs.create(d, "open.txt", 0644).ino;  // open (create opens)
  f.fs.write(ino, 0, as_bytes("before"));
  f.changes.clear();
  f.fs.unlink(d, "open.txt");
  CHECK(f.changes == std::vector<uint64_t>{d});  // the protected data lost a field: a publish
  CHECK(test::errno_of([&] { f.fs.lookup(d, "open.txt"); }) == ENOENT);
  CHECK(f.read_all(ino) == "before");
  f.fs.write(ino, 6, as_bytes(" and after"));
  CHECK(f.read_all(ino) == "before and after");
  f.fs.setattr(ino, {.size = 6});
  CHECK(f.read_all(ino) == "before");
  CHECK(f.fs.getattr(ino).nlink == 0);
  CHECK(f.changes == std::vector<uint64_t>{d});  // what happens to it no longer concerns the protected data
  CHECK(f.fs.snapshot(d).entries.size() == 1);
  CHECK(f.tree.records.at(ino).parent == 0);  // stored as unlinked: a crash now, and the next mount drops it

  // The daemon dies here: the next mount drops the bytes and the record.
  {
    MemoryContents contents_copy;
    contents_copy.files = f.memory.files;
    MemoryTree tree_copy;
    tree_copy.records = f.tree.records;
    Filesystem after_crash(contents_copy, tree_copy, kOwner, kOwner);
    CHECK(!contents_copy.files.count(ino));
    CHECK(!tree_copy.records.count(ino));
    CHECK(contents_copy.files.count(kept));
    CHECK(test::errno_of([&] { after_crash.getattr(ino); }) == ENOENT);
  }

  // The last release drops them; the node stays for the kernel's getattr until it forgets its lookup.
  f.fs.release(ino);
  CHECK(!f.memory.files.count(ino));
  CHECK(!f.tree.records.count(ino));
  CHECK(f.fs.getattr(ino).nlink == 0);
  CHECK(test::errno_of([&] { f.fs.open(ino, O_RDONLY); }) == ENOENT);  // its bytes are gone
  f.fs.forget_lookups(ino, 1);
  CHECK(test::errno_of([&] { f.fs.getattr(ino); }) == ENOENT);
  CHECK(f.fs.getattr(kept).nlink == 1);
}

TEST_CASE("unlinked with nothing open: the bytes go at once, the node when the kernel forgets it", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const uint64_t ino = f.file(d, "a.txt", "a");
  f.fs.lookup(d, "a.txt");  // the kernel holds two lookups now (create, lookup)
  f.fs.unlink(d, "a.txt");
  CHECK(!f.memory.files.count(ino));
  CHECK(!f.tree.records.count(ino));
  f.fs.forget_lookups(ino, 1);
  CHECK(f.fs.getattr(ino).nlink == 0);
  f.fs.forget_lookups(ino, 1);
  CHECK(test::errno_of([&] { f.fs.getattr(ino); }) == ENOENT);
  f.fs.forget_lookups(ino, 5);  // forgetting what is gone is harmless
  f.fs.release(ino);

  // A removed folder: nothing is created, looked up or moved in it while the kernel still holds it.
  const uint64_t sub = f.fs.mkdir(d, "sub", 0755).ino;
  f.fs.rmdir(d, "sub");
  CHECK(f.fs.getattr(sub).nlink == 0);
  CHECK(test::errno_of([&] { f.fs.create(sub, "x", 0644); }) == ENOENT);
  CHECK(test::errno_of([&] { f.fs.lookup(sub, "x"); }) == ENOENT);
  // A removed protected data is no longer the publisher's.
  const uint64_t gone = f.fs.mkdir(kRootIno, "gone", 0755).ino;
  f.fs.rmdir(kRootIno, "gone");
  CHECK(test::errno_of([&] { f.fs.snapshot(gone); }) == ENOENT);
  f.fs.set_status(gone, {.kind = DataStatus::Kind::Published});
  CHECK(!f.tree.records.count(gone));  // not written back by the change
}

TEST_CASE("a file renamed over an open one: the old bytes stay readable through the open file", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const uint64_t old_ino = f.file(d, "config", "old");
  f.fs.open(old_ino, O_RDONLY);
  const uint64_t new_ino = f.file(d, ".config.tmp", "new");
  f.changes.clear();
  f.fs.rename(d, ".config.tmp", d, "config", 0);
  CHECK(f.changes == std::vector<uint64_t>{d});
  CHECK(f.fs.lookup(d, "config").ino == new_ino);
  CHECK(f.read_all(old_ino) == "old");
  CHECK(f.read_all(new_ino) == "new");
  f.fs.release(old_ino);
  CHECK(!f.memory.files.count(old_ino));
  CHECK(f.memory.files.count(new_ino));
}

TEST_CASE("renames and truncates that change nothing a publish sees report no change", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const uint64_t email = f.file(d, "email.txt", "a@b.c");
  const uint64_t sub = f.fs.mkdir(d, "contact info", 0755).ino;
  f.changes.clear();
  f.fs.rename(d, "email.txt", d, "email.text", 0);           // same key "email"
  f.fs.rename(d, "contact info", d, "contact_info", 0);      // same key "contact_info"
  f.fs.setattr(email, {.size = 5});                          // the size it has
  f.fs.setxattr(email, "user.protected.type", "string", 0);  // then the same type again: one change only
  f.fs.setxattr(email, "user.protected.type", "string", 0);
  f.fs.setattr(email, {.mode = 0600});
  CHECK(f.changes == std::vector<uint64_t>{d});
  f.changes.clear();
  f.fs.rename(d, "email.text", d, "mail.txt", 0);  // a new key
  f.fs.setattr(email, {.size = 1});
  f.fs.rename(d, "contact_info", d, "contact", 0);
  CHECK(f.changes == std::vector<uint64_t>{d, d, d});
  (void)sub;
}

TEST_CASE("atime: stored, shown, set alone or with the mtime, updated by reads as relatime does", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const uint64_t ino = f.file(d, "a.txt", "abc");
  f.fs.setattr(ino, {.atime = at(1000000000, 123456789), .mtime = at(1000000001, 987654321)});
  CHECK(same_time(f.fs.getattr(ino).atime, at(1000000000, 123456789)));
  CHECK(same_time(f.fs.getattr(ino).mtime, at(1000000001, 987654321)));
  f.fs.setattr(ino, {.atime = at(1000000002)});  // utimensat with UTIME_OMIT for the mtime
  CHECK(same_time(f.fs.getattr(ino).atime, at(1000000002)));
  CHECK(same_time(f.fs.getattr(ino).mtime, at(1000000001, 987654321)));
  {
    Filesystem again(f.contents, f.store, kOwner, kOwner);
    CHECK(same_time(again.getattr(ino).atime, at(1000000002)));
  }
  // A read updates an atime not newer than the last change…
  f.read_all(ino);
  CHECK(f.fs.getattr(ino).atime.tv_sec > 1000000002);
  // …and leaves a recent one newer than every change alone.
  const timespec recent{f.fs.getattr(ino).ctime.tv_sec + 3600, 0};
  f.fs.setattr(ino, {.atime = recent});
  f.read_all(ino);
  CHECK(same_time(f.fs.getattr(ino).atime, recent));
}

TEST_CASE("a name over 255 bytes is ENAMETOOLONG, never ENOENT", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const std::string long_name(256, 'a');
  CHECK(test::errno_of([&] { f.fs.lookup(d, long_name); }) == ENAMETOOLONG);
  CHECK(test::errno_of([&] { f.fs.create(d, long_name, 0644); }) == ENAMETOOLONG);
  CHECK(test::errno_of([&] { f.fs.mkdir(d, long_name, 0755); }) == ENAMETOOLONG);
  CHECK(test::errno_of([&] { f.fs.lookup(d, std::string(255, 'a')); }) == ENOENT);
}

TEST_CASE("a create that fails leaves no node behind", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const std::size_t records = f.tree.records.size();
  f.changes.clear();
  f.contents.fail_create = true;  // the staged file cannot be made
  CHECK(test::errno_of([&] { f.fs.create(d, "a.txt", 0644); }) == ENOSPC);
  f.contents.fail_create = false;
  f.store.fail_put = true;  // the staged file is made, the tree cannot store the node
  CHECK(test::errno_of([&] { f.fs.create(d, "b.txt", 0644); }) == ENOSPC);
  CHECK(test::errno_of([&] { f.fs.mkdir(d, "c", 0755); }) == ENOSPC);
  f.store.fail_put = false;
  CHECK(test::errno_of([&] { f.fs.lookup(d, "a.txt"); }) == ENOENT);
  CHECK(test::errno_of([&] { f.fs.lookup(d, "b.txt"); }) == ENOENT);
  CHECK(test::errno_of([&] { f.fs.lookup(d, "c"); }) == ENOENT);
  CHECK(f.fs.readdir(d).empty());
  CHECK(f.tree.records.size() == records);
  CHECK(f.memory.files.empty());  // the staged file of b.txt went with it
  CHECK(f.changes.empty());
  Filesystem again(f.contents, f.store, kOwner, kOwner);
  CHECK(again.readdir(d).empty());
  f.file(d, "a.txt", "fits now");  // and the names are free
}

// POSIX: adding or removing an entry sets the folder's mtime and ctime. They are stored with the entry change (one
// store write), so a remount shows them too.
TEST_CASE("a folder's mtime and ctime follow its entries, through a remount", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const uint64_t sub = f.fs.mkdir(d, "sub", 0755).ino;
  const auto moved = [&](std::initializer_list<uint64_t> dirs, const std::function<void()>& change) {
    for (const uint64_t dir : dirs) f.fs.setattr(dir, {.mtime = at(1000000000)});
    change();
    Filesystem again(f.contents, f.store, kOwner, kOwner);
    for (const uint64_t dir : dirs) {
      const Attributes now = f.fs.getattr(dir), stored = again.getattr(dir);
      CHECK(now.mtime.tv_sec > 1000000000);
      CHECK(same_time(now.ctime, now.mtime));
      CHECK(same_time(stored.mtime, now.mtime));
      CHECK(same_time(stored.ctime, now.ctime));
    }
  };
  moved({sub}, [&] { f.file(sub, "a.txt", "a"); });
  moved({sub}, [&] { f.fs.mkdir(sub, "inner", 0755); });
  moved({sub}, [&] { f.fs.rename(sub, "a.txt", sub, "b.txt", 0); });
  moved({sub, d}, [&] { f.fs.rename(sub, "b.txt", d, "b.txt", 0); });
  moved({d}, [&] { f.fs.unlink(d, "b.txt"); });
  moved({sub}, [&] { f.fs.rmdir(sub, "inner"); });
  moved({kRootIno}, [&] { f.fs.mkdir(kRootIno, "e", 0755); });
  // An entry that could not be stored leaves the folder's times as they were.
  f.fs.setattr(sub, {.mtime = at(1000000000)});
  f.store.fail_put = true;
  CHECK(test::errno_of([&] { f.fs.create(sub, "c.txt", 0644); }) == ENOSPC);
  f.store.fail_put = false;
  CHECK(same_time(f.fs.getattr(sub).mtime, at(1000000000)));
}

TEST_CASE("readdir gives a folder's entries in name order, whole or one slice at a time", "[core][posix]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const uint64_t c = f.file(d, "c.txt", "ccc");
  f.file(d, "a.txt", "a");
  f.fs.mkdir(d, "b", 0755);
  const auto names = [](const std::vector<DirEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.name);
    return out;
  };
  CHECK(names(f.fs.readdir(d)) == std::vector<std::string>{"a.txt", "b", "c.txt"});
  CHECK(names(f.fs.readdir(d, 1, 1)) == std::vector<std::string>{"b"});
  CHECK(names(f.fs.readdir(d, 1)) == std::vector<std::string>{"b", "c.txt"});
  const auto last = f.fs.readdir(d, 2, 5);  // fewer than asked: the rest
  REQUIRE(last.size() == 1);
  CHECK(last[0].ino == c);
  CHECK(last[0].attributes.size == 3);
  CHECK(f.fs.readdir(d, 3).empty());  // past the end
  CHECK(f.fs.readdir(d, 100, 2).empty());
  CHECK(f.fs.readdir(d, 0, 0).empty());
}
