// POSIX's multi-user rules in the core (core/ownership.hpp), as a mount with allow_other needs them: who owns a new
// node, chown and chmod rights, setuid/setgid cleared by writes, truncates and chown, sticky folders, utimensat's
// rights, and ctime on every change of an inode. The mount suite tests/mount/posix_rules.sh runs the same rules
// through the kernel.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

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
constexpr gid_t kGroup = 4242;  // a group only kMember is in
const Caller kRoot{0, 0, {}};
const Caller kAlice{kOwner, kOwner, {}};
const Caller kOther{65534, 65534, {}};
const Caller kMember{65534, 65534, {kGroup}};

struct Fixture {
  MemoryContents contents;
  MemoryTree tree;
  Filesystem fs{contents, tree, kOwner, kOwner};
  uint64_t data = fs.mkdir(kRootIno, "d", 0777).ino;
  // A field of `mode`, owned by `owner`, holding "data".
  uint64_t file(const std::string& name, uint32_t mode, const Caller& owner, uint64_t parent = 0) {
    const uint64_t ino = fs.create(parent ? parent : data, name, 0600, owner).ino;
    fs.write(ino, 0, as_bytes(std::string("data")));
    fs.release(ino);
    fs.setattr(ino, {.mode = mode});
    return ino;
  }
  uint32_t mode(uint64_t ino) { return fs.getattr(ino).mode; }
};

int64_t ns(const timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

}  // namespace

TEST_CASE("ownership: new nodes take the caller's uid and gid, or a setgid folder's gid", "[core][ownership]") {
  Fixture f;
  const Attributes mine = f.fs.create(f.data, "mine.txt", 0640, kOther);
  CHECK(mine.uid == kOther.uid);
  CHECK(mine.gid == kOther.gid);
  CHECK(mine.mode == 0640);
  const uint64_t shared = f.fs.mkdir(f.data, "shared", 0777).ino;
  f.fs.setattr(shared, {.mode = 02777, .gid = kGroup});
  const Attributes file = f.fs.create(shared, "a.txt", 0644, kOther);
  CHECK(file.gid == kGroup);
  CHECK(file.mode == 0644);  // a file does not inherit setgid
  const Attributes sub = f.fs.mkdir(shared, "sub", 0755, kOther);
  CHECK(sub.uid == kOther.uid);
  CHECK(sub.gid == kGroup);
  CHECK(sub.mode == 02755);  // a folder does, so its own files keep the group too
  CHECK(f.fs.create(sub.ino, "b.txt", 0600, kOther).gid == kGroup);
  const Attributes fifo = f.fs.mknod(shared, "pipe", S_IFIFO | 0600, 0, kOther);
  CHECK(fifo.gid == kGroup);
  // Without a caller (the daemon itself): the mounting uid and gid.
  CHECK(f.fs.create(f.data, "own.txt", 0600).uid == kOwner);
  // Owners, groups and setuid/setgid/sticky bits survive a remount.
  f.fs.setattr(file.ino, {.mode = 06755});
  f.fs.setattr(shared, {.mode = 03777});
  Filesystem again(f.contents, f.tree, kOwner, kOwner);
  CHECK(again.getattr(sub.ino).gid == kGroup);
  CHECK(again.getattr(sub.ino).mode == 02755);
  CHECK(again.getattr(file.ino).mode == 06755);
  CHECK(again.getattr(shared).mode == 03777);
  CHECK(again.getattr(mine.ino).uid == kOther.uid);
}

TEST_CASE("ownership: chown changes the owner for root only, the group for the owner to its groups",
          "[core][ownership]") {
  Fixture f;
  const uint64_t theirs = f.file("theirs", 0644, kOther);
  const uint64_t alices = f.file("alices", 0644, kAlice);
  CHECK(test::errno_of([&] { f.fs.setattr(theirs, {.uid = kOwner}, kOther); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.setattr(theirs, {.uid = 0}, kMember); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.setattr(alices, {.uid = kOther.uid}, kAlice); }) == EPERM);  // no giving away
  CHECK(test::errno_of([&] { f.fs.setattr(theirs, {.gid = kGroup}, kOther); }) == EPERM);      // not its group
  CHECK(test::errno_of([&] { f.fs.setattr(alices, {.gid = kOther.gid}, kOther); }) == EPERM);  // not its file
  CHECK(test::errno_of([&] { f.fs.setattr(alices, {.gid = kGroup}, kMember); }) == EPERM);
  CHECK(f.fs.getattr(theirs).uid == kOther.uid);
  CHECK(f.fs.getattr(alices).gid == kOwner);
  // What the owner may: "change" the owner to itself, the group to one of its groups or to the one it has.
  f.fs.setattr(theirs, {.uid = kOther.uid}, kOther);
  f.fs.setattr(theirs, {.gid = kGroup}, kMember);
  CHECK(f.fs.getattr(theirs).gid == kGroup);
  f.fs.setattr(theirs, {.gid = kGroup}, kOther);  // the group it has, though not a member
  f.fs.setattr(theirs, {.gid = kOther.gid}, kOther);
  CHECK(f.fs.getattr(theirs).gid == kOther.gid);
  // Root gives anything to anyone.
  f.fs.setattr(alices, {.uid = kOther.uid, .gid = kGroup}, kRoot);
  CHECK(f.fs.getattr(alices).uid == kOther.uid);
  CHECK(f.fs.getattr(alices).gid == kGroup);
  // A refused chown changes nothing else of the same call (not the size, not the times).
  const Attributes before = f.fs.getattr(theirs);
  CHECK(test::errno_of([&] { f.fs.setattr(theirs, {.size = 0, .mtime = timespec{5, 0}, .uid = 0}, kOther); }) == EPERM);
  CHECK(f.fs.getattr(theirs).size == before.size);
  CHECK(ns(f.fs.getattr(theirs).mtime) == ns(before.mtime));
}

TEST_CASE("ownership: chown clears setuid, and setgid where the group executes, folders keep theirs",
          "[core][ownership]") {
  Fixture f;
  const uint64_t a = f.file("a", 06755, kOther);
  f.fs.setattr(a, {.uid = kOther.uid}, kOther);
  CHECK(f.mode(a) == 0755);
  const uint64_t b = f.file("b", 06755, kAlice);
  f.fs.setattr(b, {.uid = kOther.uid}, kRoot);  // root's chown too, as Linux does
  CHECK(f.mode(b) == 0755);
  const uint64_t c = f.file("c", 06745, kAlice);  // setgid without group execute: mandatory locking, kept
  f.fs.setattr(c, {.gid = kGroup}, kRoot);
  CHECK(f.mode(c) == 02745);
  const uint64_t dir = f.fs.mkdir(f.data, "dir", 0755).ino;
  f.fs.setattr(dir, {.mode = 06755});
  f.fs.setattr(dir, {.uid = kOther.uid, .gid = kGroup}, kRoot);
  CHECK(f.mode(dir) == 06755);
}

TEST_CASE("ownership: chmod by the owner or root, setgid dropped for a non-member, a writer only drops bits",
          "[core][ownership]") {
  Fixture f;
  const uint64_t alices = f.file("alices", 0666, kAlice);
  CHECK(test::errno_of([&] { f.fs.setattr(alices, {.mode = 0777}, kOther); }) == EPERM);
  CHECK(f.mode(alices) == 0666);
  f.fs.setattr(alices, {.mode = 0600}, kRoot);
  CHECK(f.mode(alices) == 0600);
  const uint64_t theirs = f.file("theirs", 0644, kOther);
  f.fs.setattr(theirs, {.mode = 02755}, kOther);  // its own group
  CHECK(f.mode(theirs) == 02755);
  f.fs.setattr(theirs, {.gid = kGroup}, kMember);
  f.fs.setattr(theirs, {.mode = 02755}, kOther);  // a group it is not in: setgid silently dropped
  CHECK(f.mode(theirs) == 0755);
  f.fs.setattr(theirs, {.mode = 02755}, kMember);
  CHECK(f.mode(theirs) == 02755);
  // The kernel clears setuid/setgid on a write by a chmod in the writer's name: a writer may drop them, nothing else.
  const uint64_t setuid = f.file("setuid", 06777, kAlice);
  CHECK(test::errno_of([&] { f.fs.setattr(setuid, {.mode = 06775}, kOther); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.setattr(setuid, {.mode = 0776}, kOther); }) == EPERM);
  f.fs.setattr(setuid, {.mode = 0777}, kOther);
  CHECK(f.mode(setuid) == 0777);
  f.fs.setattr(setuid, {.mode = 0777}, kOther);  // a second writer's request: the mode it has, a no-op
  CHECK(test::errno_of([&] { f.fs.setattr(setuid, {.mode = 04777}, kOther); }) == EPERM);  // never adds one
  CHECK(f.mode(setuid) == 0777);
  const uint64_t group = f.file("group", 06775, kAlice);  // a writer through a supplementary group drops them too
  f.fs.setattr(group, {.gid = kGroup}, kRoot);
  f.fs.setattr(group, {.mode = 06775}, kRoot);
  CHECK(test::errno_of([&] { f.fs.setattr(group, {.mode = 0775}, kOther); }) == EPERM);
  f.fs.setattr(group, {.mode = 0775}, kMember);
  CHECK(f.mode(group) == 0775);
  const uint64_t readonly = f.file("readonly", 04755, kAlice);
  CHECK(test::errno_of([&] { f.fs.setattr(readonly, {.mode = 0755}, kOther); }) == EPERM);  // not a writer
  CHECK(f.mode(readonly) == 04755);
}

TEST_CASE("ownership: a write or truncate by a caller other than root clears setuid and setgid", "[core][ownership]") {
  Fixture f;
  const uint64_t a = f.file("a", 06777, kAlice);
  f.fs.write(a, 0, as_bytes(std::string("x")), kRoot);  // root keeps them (CAP_FSETID)
  CHECK(f.mode(a) == 06777);
  f.fs.write(a, 0, as_bytes(std::string("x")), kOther);
  CHECK(f.mode(a) == 0777);
  const uint64_t b = f.file("b", 02767, kAlice);  // setgid without group execute stays
  f.fs.write(b, 0, as_bytes(std::string("x")), kOther);
  CHECK(f.mode(b) == 02767);
  const uint64_t c = f.file("c", 04766, kAlice);
  f.fs.setattr(c, {.size = 1}, kOther);
  CHECK(f.mode(c) == 0766);
  const uint64_t d = f.file("d", 06777, kAlice);
  f.fs.open(d, O_WRONLY | O_TRUNC, kOther);
  f.fs.release(d);
  CHECK(f.mode(d) == 0777);
  const uint64_t e = f.file("e", 06777, kAlice);
  f.fs.setattr(e, {.size = 0}, kOther);
  f.fs.setattr(e, {.mode = 06777}, kAlice);
  f.fs.open(e, O_WRONLY | O_TRUNC, kOther);  // O_TRUNC of an empty file is still a truncate
  f.fs.release(e);
  CHECK(f.mode(e) == 0777);
  const uint64_t g = f.file("g", 06777, kAlice);
  f.fs.open(g, O_RDONLY, kOther);  // reading changes nothing
  f.fs.release(g);
  CHECK(f.mode(g) == 06777);
}

TEST_CASE("ownership: a sticky folder keeps entries from callers owning neither them nor it", "[core][ownership]") {
  Fixture f;
  const uint64_t tmp = f.fs.mkdir(f.data, "tmp", 0777).ino;
  f.fs.setattr(tmp, {.mode = 01777});
  f.file("alices", 0666, kAlice, tmp);
  f.file("theirs", 0666, kOther, tmp);
  f.fs.mkdir(tmp, "alices_dir", 0777, kAlice);
  CHECK(test::errno_of([&] { f.fs.unlink(tmp, "alices", kOther); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.rmdir(tmp, "alices_dir", kOther); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.rename(tmp, "alices", tmp, "taken", 0, kOther); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.rename(tmp, "theirs", tmp, "alices", 0, kOther); }) == EPERM);  // over Alice's
  CHECK(f.fs.lookup(tmp, "alices").uid == kOwner);
  f.fs.rename(tmp, "theirs", tmp, "theirs2", 0, kOther);  // its own entry
  f.fs.unlink(tmp, "theirs2", kOther);
  f.fs.rename(tmp, "alices", tmp, "alices2", 0, kAlice);
  // The folder's owner removes anyone's entry; root too.
  const uint64_t mine = f.fs.mkdir(f.data, "mine", 0777, kOther).ino;
  f.fs.setattr(mine, {.mode = 01777}, kOther);
  f.file("alices", 0600, kAlice, mine);
  f.fs.unlink(mine, "alices", kOther);
  f.fs.rmdir(tmp, "alices_dir", kRoot);
  // Without the sticky bit, the folder's modes alone decide (the kernel checks them).
  f.fs.setattr(tmp, {.mode = 0777});
  f.fs.unlink(tmp, "alices2", kOther);
}

TEST_CASE("ownership: utimensat sets explicit times for the owner or root, the current time for writers too",
          "[core][ownership]") {
  Fixture f;
  const uint64_t shared = f.file("shared", 0666, kAlice);
  const uint64_t readonly = f.file("readonly", 0644, kAlice);
  const timespec kNow{0, UTIME_NOW};
  const timespec t1{1000000000, 123456789};
  CHECK(test::errno_of([&] { f.fs.setattr(shared, {.atime = t1, .mtime = t1}, kOther); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.setattr(shared, {.atime = kNow, .mtime = t1}, kOther); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.setattr(readonly, {.atime = kNow, .mtime = kNow}, kOther); }) == EACCES);
  CHECK(test::errno_of([&] { f.fs.setattr(readonly, {.atime = t1}, kOther); }) == EPERM);
  const uint64_t group = f.file("group", 0664, kAlice);  // writable through a supplementary group
  f.fs.setattr(group, {.gid = kGroup}, kRoot);
  f.fs.setattr(group, {.atime = kNow, .mtime = kNow}, kMember);
  CHECK(test::errno_of([&] { f.fs.setattr(group, {.atime = kNow, .mtime = kNow}, kOther); }) == EACCES);
  f.fs.setattr(shared, {.atime = t1, .mtime = t1}, kAlice);
  CHECK(ns(f.fs.getattr(shared).mtime) == ns(t1));
  f.fs.setattr(shared, {.atime = kNow, .mtime = kNow}, kOther);  // a writer touches it
  const Attributes touched = f.fs.getattr(shared);
  CHECK(touched.mtime.tv_sec > t1.tv_sec);
  CHECK(touched.mtime.tv_nsec != UTIME_NOW);
  CHECK(ns(touched.atime) == ns(touched.mtime));
  // UTIME_OMIT (no value) keeps that time; root sets anything.
  f.fs.setattr(readonly, {.mtime = t1}, kRoot);
  const timespec t2{1100000000, 1};
  f.fs.setattr(readonly, {.atime = t2}, kRoot);
  CHECK(ns(f.fs.getattr(readonly).atime) == ns(t2));
  CHECK(ns(f.fs.getattr(readonly).mtime) == ns(t1));
  Filesystem again(f.contents, f.tree, kOwner, kOwner);
  CHECK(ns(again.getattr(readonly).atime) == ns(t2));
  CHECK(ns(again.getattr(readonly).mtime) == ns(t1));
}

TEST_CASE("ownership: ctime moves on chmod, chown, times, attributes, unlink and rename, and is stored",
          "[core][ownership]") {
  Fixture f;
  const uint64_t a = f.file("a", 0644, kAlice);
  // Each change runs on a mount whose stored ctime of `a` was rewound to 1 ns: no clock needs to tick between two
  // changes, and the new ctime must have been stored with the change.
  const auto moves = [&](const std::function<void(Filesystem&)>& change) {
    f.tree.records.at(a).ctime_ns = 1;
    Filesystem fs(f.contents, f.tree, kOwner, kOwner);
    change(fs);
    Filesystem again(f.contents, f.tree, kOwner, kOwner);
    return ns(fs.getattr(a).ctime) > 1 && ns(again.getattr(a).ctime) == ns(fs.getattr(a).ctime);
  };
  CHECK(moves([&](Filesystem& fs) { fs.setattr(a, {.mode = 0600}, kAlice); }));
  CHECK(moves([&](Filesystem& fs) { fs.setattr(a, {.gid = kOwner}, kAlice); }));
  CHECK(moves([&](Filesystem& fs) { fs.setattr(a, {.mtime = timespec{5, 0}}, kAlice); }));
  CHECK(moves([&](Filesystem& fs) { fs.setxattr(a, "user.note", "one", 0, kAlice); }));
  CHECK(moves([&](Filesystem& fs) { fs.removexattr(a, "user.note", kAlice); }));
  CHECK(moves([&](Filesystem& fs) { fs.rename(f.data, "a", f.data, "b", 0, kAlice); }));
  // Unlinked while open: its ctime moves too (fstat shows it), stored with it until the last close.
  f.tree.records.at(a).ctime_ns = 1;
  Filesystem fs(f.contents, f.tree, kOwner, kOwner);
  fs.open(a, O_RDONLY, kAlice);
  fs.unlink(f.data, "b", kAlice);
  CHECK(ns(fs.getattr(a).ctime) > 1);
  CHECK(f.tree.records.at(a).ctime_ns == ns(fs.getattr(a).ctime));
  fs.release(a);
}
