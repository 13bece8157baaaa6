// Special files (symlinks, FIFOs, sockets, device nodes): kept in the tree and the store, local-only like names
// starting with '.', never in a snapshot, listed by user.protected.local.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <nlohmann/json.hpp>

#include "memory_stores.hpp"
#include "names_fixture.hpp"
#include "protectedfs/core/filesystem.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::core;
using pfs::test::MemoryContents;
using pfs::test::MemoryTree;

namespace {

constexpr uid_t kOwner = 1000;
const Caller kRoot{0, 0};
const Caller kOther{65534, 65534};

// Remountable, with the publisher's cues recorded (shared with the hard-link and rename tests).
using Fixture = pfs::test::NamesFixture;

}  // namespace

TEST_CASE("symlinks: made, read back, dangling allowed, sized by their target", "[core]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  f.file(data, "notes.txt", "hello");
  f.changes.clear();
  const Attributes link = f.fs->symlink(data, "latest", "notes.txt");
  CHECK(link.kind == NodeKind::Special);
  CHECK(link.special == S_IFLNK);
  CHECK(link.size == 9);
  CHECK(f.fs->readlink(link.ino) == "notes.txt");
  CHECK(f.fs->lookup(data, "latest").special == S_IFLNK);
  const Attributes dangling = f.fs->symlink(data, "gone", "/nowhere/at/all");
  CHECK(f.fs->readlink(dangling.ino) == "/nowhere/at/all");
  CHECK(f.changes.empty());  // nothing to publish
  CHECK(test::errno_of([&] { f.fs->readlink(data); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs->symlink(data, "latest", "x"); }) == EEXIST);
  CHECK(test::errno_of([&] { f.fs->open(link.ino, 0); }) == ENXIO);
  CHECK(test::errno_of([&] { f.fs->symlink(data, "long", std::string(5000, 'a')); }) == ENAMETOOLONG);
  // Removed and renamed like any name, still publishing nothing.
  f.fs->rename(data, "gone", data, "renamed", 0);
  f.fs->unlink(data, "renamed");
  CHECK(f.changes.empty());
  CHECK(test::errno_of([&] { f.fs->lookup(data, "renamed"); }) == ENOENT);
}

TEST_CASE("special files are refused at the root, which holds only protected data", "[core]") {
  Fixture f;
  CHECK(test::errno_of([&] { f.fs->symlink(kRootIno, "link", "x"); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs->mknod(kRootIno, "fifo", S_IFIFO | 0644, 0); }) == EPERM);
  CHECK(f.fs->readdir(kRootIno).empty());
}

TEST_CASE("mknod: FIFOs and sockets for anyone, device nodes for root only", "[core]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0777).ino;
  const Attributes fifo = f.fs->mknod(data, "pipe", S_IFIFO | 0640, 0, kOther);
  CHECK(fifo.special == S_IFIFO);
  CHECK(fifo.mode == 0640);
  CHECK(fifo.uid == kOther.uid);
  CHECK(f.fs->mknod(data, "sock", S_IFSOCK | 0755, 0, kOther).special == S_IFSOCK);
  CHECK(test::errno_of([&] { f.fs->mknod(data, "null", S_IFCHR | 0666, makedev(1, 3), kOther); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs->mknod(data, "disk", S_IFBLK | 0600, makedev(8, 0)); }) == EPERM);  // mount uid
  const Attributes null = f.fs->mknod(data, "null", S_IFCHR | 0666, makedev(1, 3), kRoot);
  CHECK(null.special == S_IFCHR);
  CHECK(null.rdev == makedev(1, 3));
  CHECK(f.fs->mknod(data, "disk", S_IFBLK | 0600, makedev(8, 0), kRoot).special == S_IFBLK);
  // mknod(2) of a regular file makes an empty field, as create does.
  const Attributes plain = f.fs->mknod(data, "plain.txt", S_IFREG | 0644, 0);
  CHECK(plain.kind == NodeKind::Field);
  CHECK(plain.size == 0);
  CHECK(f.changes.size() == 1);
  f.changes.clear();
  CHECK(test::errno_of([&] { f.fs->mknod(data, "pipe", S_IFIFO | 0644, 0); }) == EEXIST);
  CHECK(test::errno_of([&] { f.fs->setattr(fifo.ino, {.size = 0}); }) == EINVAL);
  // chmod keeps the file type.
  CHECK(f.fs->setattr(fifo.ino, {.mode = 0600}).special == S_IFIFO);
  CHECK(f.fs->getattr(fifo.ino).mode == 0600);
  CHECK(f.changes.empty());
}

TEST_CASE("special files survive a remount through the stores", "[core]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t sub = f.fs->mkdir(data, "src", 0755).ino;
  const uint64_t link = f.fs->symlink(sub, "current", "../elsewhere").ino;
  const uint64_t fifo = f.fs->mknod(sub, "pipe", S_IFIFO | 0600, 0).ino;
  const uint64_t null = f.fs->mknod(sub, "null", S_IFCHR | 0666, makedev(1, 3), kRoot).ino;
  f.remount();
  CHECK(f.fs->readlink(link) == "../elsewhere");
  const Attributes l = f.fs->lookup(sub, "current");
  CHECK(l.special == S_IFLNK);
  CHECK(l.size == 12);
  CHECK(f.fs->getattr(fifo).special == S_IFIFO);
  CHECK(f.fs->getattr(fifo).mode == 0600);
  CHECK(f.fs->getattr(null).special == S_IFCHR);
  CHECK(f.fs->getattr(null).rdev == makedev(1, 3));
  CHECK(f.fs->readdir(sub).size() == 3);
}

TEST_CASE("snapshots skip special files and user.protected.local lists what stays local", "[core]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  f.file(data, "readme.txt", "hi");
  const uint64_t sub = f.fs->mkdir(data, "src", 0755).ino;
  f.file(sub, "main.txt", "code");
  f.fs->symlink(sub, "main", "main.txt");
  f.fs->mknod(sub, "pipe", S_IFIFO | 0644, 0);
  f.fs->mknod(data, "sock", S_IFSOCK | 0755, 0);
  f.file(data, ".hidden", "local");
  const uint64_t dot = f.fs->mkdir(data, ".cache", 0755).ino;
  f.file(dot, "x", "inside a local folder");
  // A special file may take the name a field would key as: neither is refused, only the field publishes.
  f.fs->symlink(data, "readme", "readme.txt");

  const DataSnapshot snap = f.fs->snapshot(data);
  std::vector<std::string> keys;
  for (const auto& e : snap.entries) {
    std::string path;
    for (const auto& k : e.keys) path += (path.empty() ? "" : ".") + k;
    keys.push_back(path);
  }
  CHECK(keys == std::vector<std::string>{"readme", "src", "src.main"});

  const auto local = nlohmann::json::parse(f.fs->getxattr(data, "user.protected.local"));
  const auto expected = nlohmann::json::parse(R"([
    {"path": ".cache", "kind": "folder"},
    {"path": ".hidden", "kind": "file"},
    {"path": "readme", "kind": "symlink", "target": "readme.txt"},
    {"path": "sock", "kind": "socket"},
    {"path": "src/main", "kind": "symlink", "target": "main.txt"},
    {"path": "src/pipe", "kind": "fifo"}
  ])");
  CHECK(local == expected);
  const auto names = f.fs->listxattr(data);
  CHECK(std::count(names.begin(), names.end(), "user.protected.local") == 1);
  CHECK(test::errno_of([&] { f.fs->setxattr(data, "user.protected.local", "[]", 0); }) == EROFS);
  CHECK(f.fs->getxattr(f.fs->mkdir(kRootIno, "empty", 0755).ino, "user.protected.local") == "[]");
}

TEST_CASE("user.protected.local stays under the kernel's 64 KiB for attribute values", "[core]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "links", 0755).ino;
  for (int i = 0; i < 2000; ++i) f.fs->symlink(data, "link" + std::to_string(i), std::string(100, 't'));
  const std::string value = f.fs->getxattr(data, "user.protected.local");
  CHECK(value.size() <= 60000);
  const auto local = nlohmann::json::parse(value);
  REQUIRE(local.back().contains("more"));
  CHECK(local.size() - 1 + local.back()["more"].get<std::size_t>() == 2000);
}
