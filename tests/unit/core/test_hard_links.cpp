// Hard links: one node, several names in one protected data. Each name of a field is a field of its own in what a
// publish sees (the same bytes), a name starting with '.' and every name of a special file stay local; unlinking
// one name leaves the others; the names survive a remount; a link across two protected data is EXDEV.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "names_fixture.hpp"

using namespace pfs;
using namespace pfs::core;
using Fixture = pfs::test::NamesFixture;
using Fields = std::vector<std::pair<std::string, uint64_t>>;
using Names = std::vector<std::string>;

TEST_CASE("hard links: two names of one field, the same bytes through each, nlink counts them", "[core][links]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "medical", 0755).ino;
  const uint64_t sub = f.fs->mkdir(data, "scans", 0755).ino;
  const uint64_t ino = f.file(data, "email.txt", "alice@example.com");
  f.changes.clear();
  const Attributes linked = f.fs->link(ino, sub, "contact.txt");
  CHECK(linked.ino == ino);
  CHECK(linked.nlink == 2);
  CHECK(linked.kind == NodeKind::Field);
  CHECK(f.changes == std::vector<uint64_t>{data});  // a new field: its protected data publishes
  CHECK(f.fs->lookup(sub, "contact.txt").ino == ino);
  CHECK(f.fs->getattr(ino).nlink == 2);
  CHECK(f.fs->readdir(sub).at(0).attributes.nlink == 2);
  // A write through one name is read through the other: one node, one staged content.
  f.fs->open(ino, 0);
  f.fs->write(ino, 0, as_bytes("carol"));
  f.fs->release(ino);
  CHECK(f.text_of(sub, "contact.txt") == "carol@example.com");
  CHECK(f.text_of(data, "email.txt") == "carol@example.com");
  // Each name is a field of its own in what is published, both read from the one node.
  CHECK(f.fields(data) == Fields{{"email", ino}, {"scans", 0}, {"scans.contact", ino}});
  // A third name; then names go one by one, the others staying.
  CHECK(f.fs->link(ino, data, "third.txt").nlink == 3);
  f.changes.clear();
  f.fs->unlink(data, "email.txt");  // its first name
  CHECK(f.changes == std::vector<uint64_t>{data});
  CHECK(f.fs->getattr(ino).nlink == 2);
  CHECK(f.text_of(sub, "contact.txt") == "carol@example.com");
  CHECK(f.fields(data) == Fields{{"scans", 0}, {"scans.contact", ino}, {"third", ino}});
  CHECK(f.fs->getxattr(ino, "user.protected.key") == "scans.contact");
  f.fs->unlink(sub, "contact.txt");
  CHECK(f.fs->getattr(ino).nlink == 1);
  CHECK(f.fs->getxattr(ino, "user.protected.key") == "third");
  f.fs->unlink(data, "third.txt");
  CHECK(f.fs->getattr(ino).nlink == 0);  // still held by the kernel's lookups, out of the tree
  CHECK(f.contents.files.count(ino) == 0);
  CHECK(f.fields(data) == Fields{{"scans", 0}});
}

TEST_CASE("hard links: refused across protected data, at the root, for folders, on taken names and keys",
          "[core][links]") {
  Fixture f;
  const uint64_t a = f.fs->mkdir(kRootIno, "a", 0755).ino;
  const uint64_t b = f.fs->mkdir(kRootIno, "b", 0755).ino;
  const uint64_t sub = f.fs->mkdir(a, "sub", 0755).ino;
  const uint64_t ino = f.file(a, "report.pdf", "%PDF-1.7");
  f.file(a, "notes.txt", "notes");
  f.changes.clear();
  CHECK(test::errno_of([&] { f.fs->link(ino, b, "report.pdf"); }) == EXDEV);
  CHECK(test::errno_of([&] { f.fs->link(ino, kRootIno, "report.pdf"); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs->link(sub, a, "sub2"); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs->link(a, kRootIno, "c"); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs->link(ino, a, "notes.txt"); }) == EEXIST);
  CHECK(test::errno_of([&] { f.fs->link(ino, a, "notes.md"); }) == EEXIST);    // the key "notes" is taken
  CHECK(test::errno_of([&] { f.fs->link(ino, a, "report.txt"); }) == EEXIST);  // its own key, twice in a folder
  CHECK(test::errno_of([&] { f.fs->link(ino, a, "x/y"); }) == EINVAL);
  CHECK(f.fs->getattr(ino).nlink == 1);
  CHECK(f.changes.empty());
  CHECK(f.names(b).empty());
  // A node with no name left (held by the kernel only) cannot get one back.
  f.fs->lookup(a, "report.pdf");
  f.fs->unlink(a, "report.pdf");
  CHECK(test::errno_of([&] { f.fs->link(ino, a, "again.pdf"); }) == ENOENT);
}

TEST_CASE("hard links survive a remount, the first name removed included", "[core][links]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t sub = f.fs->mkdir(data, "src", 0755).ino;
  const uint64_t ino = f.file(data, "main.txt", "code");
  f.fs->link(ino, sub, "copy.txt");
  f.fs->link(ino, sub, "other.txt");
  f.remount();
  CHECK(f.fs->getattr(ino).nlink == 3);
  CHECK(f.fs->lookup(sub, "copy.txt").ino == ino);
  CHECK(f.fs->lookup(sub, "other.txt").ino == ino);
  CHECK(f.text_of(data, "main.txt") == "code");
  f.fs->unlink(data, "main.txt");  // the first name goes: the next one takes its place
  f.remount();
  CHECK(f.fs->getattr(ino).nlink == 2);
  CHECK(test::errno_of([&] { f.fs->lookup(data, "main.txt"); }) == ENOENT);
  CHECK(f.names(sub) == Names{"copy.txt", "other.txt"});
  CHECK(f.text_of(sub, "other.txt") == "code");
  // The keys of the names are indexed again: a file taking one's key is refused.
  CHECK(test::errno_of([&] { f.fs->create(sub, "copy.md", 0644); }) == EEXIST);
}

TEST_CASE("hard links: a name starting with '.' stays local, the field's other names publish", "[core][links]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t ino = f.file(data, "email.txt", "alice@example.com");
  f.changes.clear();
  CHECK(f.fs->link(ino, data, ".email.bak").nlink == 2);
  CHECK(f.changes.empty());  // nothing a publish would show
  CHECK(f.fields(data) == Fields{{"email", ino}});
  CHECK(f.local(data) == Names{".email.bak:file"});
  f.fs->unlink(data, "email.txt");  // the published name goes; the local one keeps the bytes
  CHECK(f.changes == std::vector<uint64_t>{data});
  CHECK(f.fields(data).empty());
  CHECK(f.text_of(data, ".email.bak") == "alice@example.com");
  CHECK(test::errno_of([&] { f.fs->getxattr(ino, "user.protected.key"); }) == ENODATA);
  // The other way round: a local file given a published name becomes a field.
  f.changes.clear();
  f.fs->link(ino, data, "restored.txt");
  CHECK(f.changes == std::vector<uint64_t>{data});
  CHECK(f.fields(data) == Fields{{"restored", ino}});
  CHECK(f.fs->getxattr(ino, "user.protected.key") == "restored");
  // Below a local-only folder every name stays local.
  const uint64_t dot = f.fs->mkdir(data, ".cache", 0755).ino;
  f.changes.clear();
  f.fs->link(ino, dot, "copy.txt");
  CHECK(f.changes.empty());
  CHECK(f.fields(data) == Fields{{"restored", ino}});
}

TEST_CASE("hard links to a special file stay local under every name", "[core][links]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  f.file(data, "notes.txt", "hello");
  const uint64_t link = f.fs->symlink(data, "latest", "notes.txt").ino;
  const uint64_t fifo = f.fs->mknod(data, "pipe", S_IFIFO | 0644, 0).ino;
  f.changes.clear();
  const Attributes second = f.fs->link(link, data, "newest");
  CHECK(second.special == S_IFLNK);
  CHECK(second.nlink == 2);
  CHECK(f.fs->readlink(f.fs->lookup(data, "newest").ino) == "notes.txt");
  CHECK(f.fs->link(fifo, data, "pipe2").special == S_IFIFO);
  CHECK(f.changes.empty());
  CHECK(f.fields(data) == Fields{{"notes", f.fs->lookup(data, "notes.txt").ino}});
  CHECK(f.local(data) == Names{"latest:symlink", "newest:symlink", "pipe:fifo", "pipe2:fifo"});
  f.remount();
  CHECK(f.fs->getattr(link).nlink == 2);
  f.fs->unlink(data, "latest");
  CHECK(f.fs->readlink(link) == "notes.txt");
  CHECK(f.changes.empty());
}

TEST_CASE("hard links: the last name of an open field goes, its bytes stay until the last close", "[core][links]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "life", 0755).ino;
  const uint64_t ino = f.file(data, "a.txt", "original");
  f.fs->link(ino, data, "b.txt");
  f.fs->open(ino, 0);
  f.fs->unlink(data, "a.txt");
  f.fs->unlink(data, "b.txt");
  CHECK(f.fs->getattr(ino).nlink == 0);
  CHECK(f.read_all(ino) == "original");
  CHECK(f.memory.records.count(ino) == 1);  // kept while open (parent 0: the next mount drops it)
  f.fs->release(ino);
  CHECK(f.contents.files.count(ino) == 0);
  CHECK(f.memory.records.count(ino) == 0);
}

TEST_CASE("hard links: a protected data given away or replaced takes every name with it", "[core][links]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t a = f.fs->mkdir(data, "a", 0755).ino;
  const uint64_t z = f.fs->mkdir(data, "z", 0755).ino;
  const uint64_t ino = f.file(a, "x.txt", "bytes");
  f.fs->link(ino, z, "y.txt");
  f.fs->link(ino, a, "w.txt");
  f.fs->forget(data);
  CHECK(f.contents.files.empty());
  CHECK(f.memory.records.size() == 1);   // the root alone
  CHECK(f.fs->getattr(ino).nlink == 0);  // held by the kernel until it forgets it
  f.remount();
  CHECK(f.fs->readdir(kRootIno).empty());
}

TEST_CASE("hard links: rename between two names of one file does nothing, over a linked file keeps its others",
          "[core][links]") {
  Fixture f;
  const uint64_t data = f.fs->mkdir(kRootIno, "project", 0755).ino;
  const uint64_t ino = f.file(data, "a.txt", "one");
  f.fs->link(ino, data, "b.txt");
  f.changes.clear();
  f.fs->rename(data, "a.txt", data, "b.txt", 0);  // POSIX: both names stay
  CHECK(f.names(data) == Names{"a.txt", "b.txt"});
  CHECK(f.changes.empty());
  // A file renamed over one name of a linked file: that name is the new file's, the other keeps the old bytes.
  const uint64_t other = f.file(data, ".new", "two");
  f.changes.clear();
  f.fs->rename(data, ".new", data, "a.txt", 0);
  CHECK(f.changes == std::vector<uint64_t>{data});
  CHECK(f.fs->lookup(data, "a.txt").ino == other);
  CHECK(f.text_of(data, "b.txt") == "one");
  CHECK(f.fs->getattr(ino).nlink == 1);
  CHECK(f.fields(data) == Fields{{"a", other}, {"b", ino}});
  // Renaming one name of a linked file moves that name only.
  f.fs->link(ino, data, "c.txt");
  f.fs->rename(data, "c.txt", data, "d.txt", 0);
  CHECK(f.names(data) == Names{"a.txt", "b.txt", "d.txt"});
  CHECK(f.fs->getattr(ino).nlink == 2);
  // Two names of one file in a folder never share a key.
  CHECK(test::errno_of([&] { f.fs->rename(data, "d.txt", data, "b.md", 0); }) == EEXIST);
  f.remount();
  CHECK(f.names(data) == Names{"a.txt", "b.txt", "d.txt"});
  CHECK(f.fs->lookup(data, "d.txt").ino == ino);
}
