// rename(2) and renameat2(2) in full: over a file or an empty folder, never a folder into itself, RENAME_NOREPLACE,
// RENAME_EXCHANGE, EXDEV between protected data; each rename one store write (all of it or nothing) and one change
// for the publisher; a protected data renamed at the root tells the daemon (its old lineage is no longer shown).
#include <catch2/catch.hpp>

#include <linux/fs.h>
#include <sys/stat.h>

#include "names_fixture.hpp"

using namespace pfs;
using namespace pfs::core;
using Fixture = pfs::test::NamesFixture;
using Fields = std::vector<std::pair<std::string, uint64_t>>;
using Names = std::vector<std::string>;

TEST_CASE("rename over a file: one store write, one change, the old bytes gone", "[core][rename]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "medical", 0755).ino;
  const uint64_t old_ino = f.file(data, "config.txt", "old");
  const uint64_t new_ino = f.file(data, ".config.txt.tmp", "new");
  f.changes.clear();
  const int writes = f.tree.writes;
  f.fs->rename(data, ".config.txt.tmp", data, "config.txt", 0);
  CHECK(f.tree.writes == writes + 1);
  CHECK(f.changes == std::vector<uint64_t>{data});
  CHECK(f.names(data) == Names{"config.txt"});
  CHECK(f.text_of(data, "config.txt") == "new");
  CHECK(f.contents.files.count(old_ino) == 0);
  CHECK(f.memory.records.count(old_ino) == 0);
  CHECK(f.fs->getattr(old_ino).nlink == 0);  // held by the kernel's lookup until it forgets it
  f.fs->forget_lookups(old_ino, 1);
  CHECK(test::errno_of([&] { f.fs->getattr(old_ino); }) == ENOENT);
  f.remount();
  CHECK(f.fs->lookup(data, "config.txt").ino == new_ino);
  CHECK(f.fields(data) == Fields{{"config", new_ino}});
}

TEST_CASE("rename over a folder: only an empty one, and only a folder over a folder", "[core][rename]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t src = f.fs->mkdir(data, "src", 0755).ino;
  f.file(src, "main.txt", "code");
  const uint64_t empty = f.fs->mkdir(data, "empty", 0755).ino;
  const uint64_t full = f.fs->mkdir(data, "full", 0755).ino;
  f.file(full, "x.txt", "x");
  f.file(data, "file.txt", "f");
  f.changes.clear();
  CHECK(test::errno_of([&] { f.fs->rename(data, "src", data, "full", 0); }) == ENOTEMPTY);
  CHECK(test::errno_of([&] { f.fs->rename(data, "src", data, "file.txt", 0); }) == ENOTDIR);
  CHECK(test::errno_of([&] { f.fs->rename(data, "file.txt", data, "empty", 0); }) == EISDIR);
  CHECK(f.changes.empty());
  f.fs->rename(data, "src", data, "empty", 0);
  CHECK(f.changes == std::vector<uint64_t>{data});
  CHECK(f.fs->lookup(data, "empty").ino == src);
  CHECK(f.fs->getattr(empty).nlink == 0);
  CHECK(f.names(data) == Names{"empty", "file.txt", "full"});
  f.remount();
  CHECK(f.text_of(src, "main.txt") == "code");
  CHECK(f.names(data) == Names{"empty", "file.txt", "full"});
}

TEST_CASE("rename: a folder never moves into itself or below, EXDEV between protected data", "[core][rename]") {
  Fixture f;
  const uint64_t a = f.fs->mkdir(kRootIno, "a", 0755).ino;
  const uint64_t b = f.fs->mkdir(kRootIno, "b", 0755).ino;
  const uint64_t top = f.fs->mkdir(a, "top", 0755).ino;
  const uint64_t mid = f.fs->mkdir(top, "mid", 0755).ino;
  f.file(a, "x.txt", "x");
  CHECK(test::errno_of([&] { f.fs->rename(a, "top", mid, "top", 0); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs->rename(a, "top", top, "inner", 0); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs->rename(a, "top", mid, "x", RENAME_EXCHANGE); }) == ENOENT);
  f.file(mid, "leaf.txt", "leaf");
  CHECK(test::errno_of([&] { f.fs->rename(a, "top", mid, "leaf.txt", RENAME_EXCHANGE); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs->rename(mid, "leaf.txt", a, "top", RENAME_EXCHANGE); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs->rename(a, "x.txt", b, "x.txt", 0); }) == EXDEV);
  f.file(b, "y.txt", "y");
  CHECK(test::errno_of([&] { f.fs->rename(a, "x.txt", b, "y.txt", RENAME_EXCHANGE); }) == EXDEV);
  CHECK(test::errno_of([&] { f.fs->rename(a, "top", kRootIno, "top", 0); }) == EXDEV);
  CHECK(test::errno_of([&] { f.fs->rename(kRootIno, "a", b, "a", 0); }) == EXDEV);
  CHECK(f.names(a) == Names{"top", "x.txt"});
  CHECK(f.names(b) == Names{"y.txt"});
}

TEST_CASE("rename flags: RENAME_NOREPLACE is EEXIST over a name, others than it and RENAME_EXCHANGE are EINVAL",
          "[core][rename]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  f.file(data, "a.txt", "a");
  f.file(data, "b.txt", "b");
  CHECK(test::errno_of([&] { f.fs->rename(data, "a.txt", data, "b.txt", RENAME_NOREPLACE); }) == EEXIST);
  CHECK(test::errno_of([&] { f.fs->rename(data, "a.txt", data, "c.txt", RENAME_WHITEOUT); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs->rename(data, "a.txt", data, "b.txt", RENAME_NOREPLACE | RENAME_EXCHANGE); }) ==
        EINVAL);
  CHECK(f.text_of(data, "b.txt") == "b");
  f.fs->rename(data, "a.txt", data, "c.txt", RENAME_NOREPLACE);
  CHECK(f.names(data) == Names{"b.txt", "c.txt"});
}

TEST_CASE("RENAME_EXCHANGE swaps two names atomically: files, a file and a folder, across folders", "[core][rename]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t sub = f.fs->mkdir(data, "sub", 0755).ino;
  const uint64_t a = f.file(data, "a.txt", "alpha");
  const uint64_t b = f.file(sub, "b.txt", "beta");
  f.changes.clear();
  const int writes = f.tree.writes;
  f.fs->rename(data, "a.txt", sub, "b.txt", RENAME_EXCHANGE);
  CHECK(f.tree.writes == writes + 1);
  CHECK(f.changes == std::vector<uint64_t>{data});
  CHECK(f.fs->lookup(data, "a.txt").ino == b);
  CHECK(f.fs->lookup(sub, "b.txt").ino == a);
  CHECK(f.text_of(data, "a.txt") == "beta");
  CHECK(f.text_of(sub, "b.txt") == "alpha");
  CHECK(f.fields(data) == Fields{{"a", b}, {"sub", 0}, {"sub.b", a}});
  // A file and a folder: each name keys as the kind it names now (a folder's key is its whole name).
  const uint64_t folder = f.fs->mkdir(data, "notes.d", 0755).ino;
  f.file(folder, "n.txt", "n");
  f.fs->rename(data, "a.txt", data, "notes.d", RENAME_EXCHANGE);
  CHECK(f.fs->lookup(data, "a.txt").ino == folder);
  CHECK(f.fs->lookup(data, "notes.d").ino == b);
  CHECK(f.fields(data) ==
        Fields{{"a_txt", 0}, {"a_txt.n", f.fs->lookup(folder, "n.txt").ino}, {"notes", b}, {"sub", 0}, {"sub.b", a}});
  f.remount();
  CHECK(f.text_of(data, "notes.d") == "beta");
  CHECK(f.text_of(sub, "b.txt") == "alpha");
  CHECK(f.names(folder) == Names{"n.txt"});
  CHECK(f.fs->lookup(data, "a.txt").ino == folder);
  // A swap that would give one folder two names with one key is EEXIST and changes nothing: a name taking the key
  // of another entry ("m.txt" naming a folder keys as "m_txt", which "m_txt.pdf" holds), or both names taking one
  // ("k" naming a folder and "k.d" naming a file both key as "k").
  const uint64_t m = f.file(data, "m.txt", "m");
  f.fs->mkdir(data, "n", 0755);
  f.file(data, "m_txt.pdf", "%PDF-1.7");
  f.file(data, "k", "k");
  const uint64_t kd = f.fs->mkdir(data, "k.d", 0755).ino;
  f.changes.clear();
  CHECK(test::errno_of([&] { f.fs->rename(data, "m.txt", data, "n", RENAME_EXCHANGE); }) == EEXIST);
  CHECK(test::errno_of([&] { f.fs->rename(data, "k", data, "k.d", RENAME_EXCHANGE); }) == EEXIST);
  CHECK(f.fs->lookup(data, "m.txt").ino == m);
  CHECK(f.fs->lookup(data, "k.d").ino == kd);
  CHECK(f.changes.empty());
}

TEST_CASE("RENAME_EXCHANGE: a local name and a published one swap (an atomic replace that keeps the old file)",
          "[core][rename]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t old_ino = f.file(data, "config.txt", "old");
  const uint64_t new_ino = f.file(data, ".config.new", "new");
  f.changes.clear();
  f.fs->rename(data, ".config.new", data, "config.txt", RENAME_EXCHANGE);
  CHECK(f.changes == std::vector<uint64_t>{data});
  CHECK(f.fields(data) == Fields{{"config", new_ino}});
  CHECK(f.text_of(data, ".config.new") == "old");
  CHECK(f.local(data) == Names{".config.new:file"});
  CHECK(f.fs->getattr(old_ino).nlink == 1);
  // Two local names swapped: nothing a publish would see.
  f.file(data, ".a", "a");
  f.changes.clear();
  f.fs->rename(data, ".a", data, ".config.new", RENAME_EXCHANGE);
  CHECK(f.changes.empty());
}

TEST_CASE("renames at the root: two protected data swap names, a rename tells the daemon the old name",
          "[core][rename]") {
  Fixture f;
  const uint64_t a = f.fs->mkdir(kRootIno, "a", 0755).ino;
  const uint64_t b = f.fs->mkdir(kRootIno, "b", 0755).ino;
  f.file(a, "x.txt", "x");
  f.file(b, "y.txt", "y");
  f.changes.clear();
  f.fs->rename(kRootIno, "a", kRootIno, "b", RENAME_EXCHANGE);
  CHECK(f.fs->lookup(kRootIno, "a").ino == b);
  CHECK(f.fs->lookup(kRootIno, "b").ino == a);
  CHECK(f.fs->snapshot(a).name == "b");
  CHECK(f.fs->snapshot(b).name == "a");
  CHECK(f.changes == std::vector<uint64_t>{a, b});  // each published under its new name
  CHECK(f.renamed.empty());                         // both names stay in use
  CHECK(f.removed.empty());
  CHECK(test::errno_of([&] {
          f.fs->rename(kRootIno, "a", kRootIno, "b", RENAME_EXCHANGE, Caller{65534, 65534});
        }) == EACCES);
  f.changes.clear();
  f.fs->rename(kRootIno, "a", kRootIno, "c", 0);
  CHECK(f.changes == std::vector<uint64_t>{b});
  REQUIRE(f.renamed.size() == 1);
  CHECK(f.renamed[0].ino == b);
  CHECK(f.renamed[0].from == "a");
  CHECK(f.renamed[0].to == "c");
  f.remount();
  CHECK(f.names(kRootIno) == Names{"b", "c"});
  CHECK(f.text_of(b, "y.txt") == "y");
}

TEST_CASE("a rename the store cannot write changes nothing", "[core][rename]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t a = f.file(data, "a.txt", "a");
  const uint64_t b = f.file(data, "b.txt", "b");
  f.fs->link(a, data, "c.txt");
  f.changes.clear();
  f.tree.full = true;
  CHECK(test::errno_of([&] { f.fs->rename(data, "a.txt", data, "b.txt", 0); }) == ENOSPC);
  CHECK(test::errno_of([&] { f.fs->rename(data, "b.txt", data, "c.txt", 0); }) == ENOSPC);
  CHECK(test::errno_of([&] { f.fs->rename(data, "a.txt", data, "b.txt", RENAME_EXCHANGE); }) == ENOSPC);
  CHECK(test::errno_of([&] { f.fs->link(b, data, "d.txt"); }) == ENOSPC);
  CHECK(test::errno_of([&] { f.fs->unlink(data, "c.txt"); }) == ENOSPC);
  f.tree.full = false;
  CHECK(f.changes.empty());
  CHECK(f.names(data) == Names{"a.txt", "b.txt", "c.txt"});
  CHECK(f.fs->lookup(data, "b.txt").ino == b);
  CHECK(f.fs->getattr(a).nlink == 2);
  CHECK(f.contents.files.count(b) == 1);
  f.remount();
  CHECK(f.names(data) == Names{"a.txt", "b.txt", "c.txt"});
  CHECK(f.fs->getattr(a).nlink == 2);
}
