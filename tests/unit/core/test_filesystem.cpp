#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/xattr.h>

#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "memory_stores.hpp"
#include "protectedfs/core/filesystem.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::core;
using pfs::test::MemoryContents;
using pfs::test::MemoryTree;

namespace {

struct Fixture {
  MemoryContents contents;
  MemoryTree tree;
  Filesystem fs{contents, tree, 1000, 1000};
  std::vector<uint64_t> changes;
  Fixture() {
    fs.set_events({.changed = [this](uint64_t data, const std::string&) { changes.push_back(data); }});
  }
  uint64_t file(uint64_t parent, const std::string& name, const std::string& text) {
    const uint64_t ino = fs.create(parent, name, 0644).ino;
    fs.write(ino, 0, as_bytes(text));
    return ino;
  }
};

}  // namespace

TEST_CASE("the tree: protected data at the root, fields and nested objects inside", "[core]") {
  Fixture f;
  const uint64_t medical = f.fs.mkdir(kRootIno, "medical", 0755).ino;
  CHECK(f.fs.getattr(medical).kind == NodeKind::Data);
  CHECK(f.fs.getxattr(medical, "user.protected.status") == "draft");
  const uint64_t email = f.file(medical, "email.txt", "alice@example.com\n");
  const uint64_t contact = f.fs.mkdir(medical, "contact info", 0755).ino;
  f.file(contact, "phone.txt", "+33\n");
  f.file(medical, "10.txt", "ten");
  f.file(medical, "9.txt", "nine");
  f.file(medical, ".email.txt.swp", "editor");
  CHECK(f.fs.getattr(email).size == 18);
  Bytes back(64);
  back.resize(f.fs.read(email, 0, back));
  CHECK(as_chars(back) == "alice@example.com\n");
  CHECK(f.fs.getxattr(email, "user.protected.key") == "email");
  CHECK(f.fs.lookup(medical, "contact info").ino == contact);

  const DataSnapshot snap = f.fs.snapshot(medical);
  std::vector<std::string> order;
  for (const auto& entry : snap.entries) {
    std::string path;
    for (const auto& k : entry.keys) path += (path.empty() ? "" : ".") + k;
    order.push_back(path + (entry.directory ? "/" : ""));
  }
  // Numeric keys first, an object before its members, dot-files never published.
  CHECK(order == std::vector<std::string>{"9", "10", "contact_info/", "contact_info.phone", "email"});
  CHECK(std::all_of(f.changes.begin(), f.changes.end(), [&](uint64_t d) { return d == medical; }));
}

TEST_CASE("find: an absent name is nullopt, a present one as lookup gives it, bad names still refused", "[core]") {
  Fixture f;
  const uint64_t medical = f.fs.mkdir(kRootIno, "medical", 0755).ino;
  const uint64_t email = f.file(medical, "email.txt", "alice@example.com\n");
  CHECK_FALSE(f.fs.find(medical, "absent.txt").has_value());
  const auto found = f.fs.find(medical, "email.txt");
  REQUIRE(found.has_value());
  CHECK(found->ino == email);
  CHECK(found->size == f.fs.lookup(medical, "email.txt").size);
  try {
    f.fs.lookup(medical, "absent.txt");
    FAIL("lookup of an absent name must throw");
  } catch (const Error& e) {
    CHECK(e.code() == ENOENT);
  }
  try {
    f.fs.find(medical, std::string(256, 'a'));
    FAIL("a name over 255 bytes must be refused");
  } catch (const Error& e) {
    CHECK(e.code() == ENAMETOOLONG);
  }
  try {
    f.fs.find(email, "x");
    FAIL("a file is not a folder");
  } catch (const Error& e) {
    CHECK(e.code() == ENOTDIR);
  }
}

TEST_CASE("the rules of SPEC.md §2 and §4 as errnos", "[core]") {
  Fixture f;
  const uint64_t a = f.fs.mkdir(kRootIno, "a", 0755).ino;
  const uint64_t b = f.fs.mkdir(kRootIno, "b", 0755).ino;
  f.file(a, "report.pdf", "%PDF");
  CHECK(test::errno_of([&] { f.fs.create(kRootIno, "loose.txt", 0644); }) == EPERM);
  CHECK(test::errno_of([&] { f.fs.create(a, "report.txt", 0644); }) == EEXIST);  // same key "report"
  CHECK(test::errno_of([&] { f.fs.create(a, "report.pdf", 0644); }) == EEXIST);
  CHECK(test::errno_of([&] { f.fs.rename(a, "report.pdf", b, "report.pdf", 0); }) == EXDEV);
  CHECK(test::errno_of([&] { f.fs.rename(kRootIno, "a", b, "a", 0); }) == EXDEV);
  CHECK(test::errno_of([&] { f.fs.rmdir(kRootIno, "a"); }) == ENOTEMPTY);
  CHECK(test::errno_of([&] { f.fs.lookup(a, "missing"); }) == ENOENT);
  CHECK(test::errno_of([&] { f.fs.getxattr(a, "user.protected.nope"); }) == ENODATA);
  CHECK(test::errno_of([&] { f.fs.setxattr(a, "user.protected.address", "0x00", 0); }) == EROFS);
  CHECK(test::errno_of([&] { f.fs.getxattr(a, "security.capability"); }) == ENOTSUP);
  CHECK(test::errno_of([&] { f.fs.removexattr(a, "security.capability", {}); }) == ENOTSUP);
  CHECK(test::errno_of([&] { f.fs.removexattr(a, "system.posix_acl_access", {}); }) == ENOTSUP);

  // Renames inside one protected data are fine, and a rename of the data itself too.
  f.fs.rename(a, "report.pdf", a, "scan.pdf", 0);
  CHECK(f.fs.getxattr(f.fs.lookup(a, "scan.pdf").ino, "user.protected.key") == "scan");
  f.fs.rename(kRootIno, "a", kRootIno, "renamed", 0);
  CHECK(f.fs.lookup(kRootIno, "renamed").ino == a);
  CHECK(test::errno_of([&] { f.fs.rename(kRootIno, "renamed", kRootIno, "b", RENAME_NOREPLACE); }) == EEXIST);

  // Other user.* attributes, chmod and utimens are kept locally and never fail.
  const uint64_t scan = f.fs.lookup(a, "scan.pdf").ino;
  f.fs.setxattr(scan, "user.comment", "kept", 0);
  CHECK(f.fs.getxattr(scan, "user.comment") == "kept");
  f.fs.setattr(scan, {.mode = 0600});
  CHECK(f.fs.getattr(scan).mode == 0600);
}

TEST_CASE("user.protected.type: the content must parse as the type, nothing changes otherwise", "[core]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "d", 0755).ino;
  const uint64_t age = f.file(d, "age", "42.5\n");
  const uint64_t word = f.file(d, "word", "forty");
  f.fs.setxattr(age, "user.protected.type", "f64", 0);
  CHECK(f.fs.getxattr(age, "user.protected.type") == "f64");
  CHECK(test::errno_of([&] { f.fs.setxattr(word, "user.protected.type", "f64", 0); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs.setxattr(word, "user.protected.type", "text/plain", 0); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs.getxattr(word, "user.protected.type"); }) == ENODATA);
  f.fs.removexattr(age, "user.protected.type");
  CHECK(test::errno_of([&] { f.fs.getxattr(age, "user.protected.type"); }) == ENODATA);
  CHECK(f.fs.snapshot(d).entries.size() == 2);
}

TEST_CASE("the tree survives a restart through its store", "[core]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "medical", 0755).ino;
  const uint64_t sub = f.fs.mkdir(d, "contact", 0700).ino;
  const uint64_t phone = f.file(sub, "phone.txt", "+33\n");
  f.fs.setxattr(phone, "user.note", std::string("\x00\xff", 2), 0);
  f.fs.record_published(d, {.address = "0xabc"}, "");
  f.fs.set_status(d, {.kind = DataStatus::Kind::Publishing, .step = "upload", .percent = 40});
  f.fs.flush(phone);
  CHECK(f.tree.syncs == 0);  // close: everything already reached the store, nothing is synced
  f.fs.fsync(phone);
  CHECK(f.tree.syncs == 1);

  Filesystem again(f.contents, f.tree, 1000, 1000);
  CHECK(again.lookup(kRootIno, "medical").ino == d);
  CHECK(again.lookup(d, "contact").mode == 0700);
  CHECK(again.getattr(phone).size == 4);
  CHECK(again.getxattr(phone, "user.note") == std::string("\x00\xff", 2));
  CHECK(again.getxattr(phone, "user.protected.key") == "contact.phone");
  CHECK(again.data_info(d).address == "0xabc");
  CHECK(again.data_info(d).status.kind == DataStatus::Kind::Pending);  // an interrupted publish resumes
  CHECK(again.create(sub, "new.txt", 0644).ino > phone);               // inode numbers are never reused
}

TEST_CASE("adopting a version published elsewhere: shown, copied in on the first write, replaced, forgotten",
          "[core]") {
  Fixture f;
  AdoptedData data;
  data.name = "medical";
  data.info.status = {.kind = DataStatus::Kind::Published};
  data.info.address = "0x01";
  const PublishedLeaf email{"0x01", "email", "string"}, raw{"0x01", "scans/raw", "application/octet-stream"};
  data.entries = {{{"email"}, false, 6, std::nullopt, email},
                  {{"scans"}, true, 0, std::nullopt, {}},
                  {{"scans", "raw"}, false, 9, "application/octet-stream", raw}};
  std::vector<std::string> replaced;  // root entries the kernel must drop from its cache
  f.fs.set_events({.changed = [&](uint64_t data_ino, const std::string&) { f.changes.push_back(data_ino); },
                   .root_entry_replaced = [&](const std::string& name) { replaced.push_back(name); }});
  const uint64_t d = f.fs.adopt(data);
  CHECK(replaced == std::vector<std::string>{"medical"});
  CHECK(f.fs.getxattr(d, "user.protected.address") == "0x01");
  const uint64_t e = f.fs.lookup(d, "email").ino;
  const uint64_t r = f.fs.lookup(f.fs.lookup(d, "scans").ino, "raw").ino;
  CHECK(f.fs.getattr(r).size == 9);
  CHECK(f.contents.attached.at(e) == email);
  CHECK(f.fs.getxattr(r, "user.protected.type") == "application/octet-stream");
  CHECK(f.changes.empty());  // adopting publishes nothing

  // Survives a restart: the contents are told again where the bytes are.
  f.contents.attached.clear();
  Filesystem again(f.contents, f.tree, 1000, 1000);
  CHECK(f.contents.attached.at(r) == raw);

  // The first write makes it a local field; an inherited octet-stream type goes, the content decides.
  f.fs.write(r, 0, as_bytes("text now"));
  CHECK(!f.contents.attached.count(r));
  CHECK(test::errno_of([&] { f.fs.getxattr(r, "user.protected.type"); }) == ENODATA);
  CHECK(f.changes == std::vector<uint64_t>{d});

  // A folder with local changes is not replaced by a version published elsewhere.
  data.info.address = "0x02";
  CHECK(test::errno_of([&] { f.fs.adopt(data); }) == EBUSY);
  f.fs.set_status(d, {.kind = DataStatus::Kind::Published});
  CHECK(f.fs.adopt(data) == d);
  CHECK(f.fs.getxattr(d, "user.protected.address") == "0x02");
  CHECK(f.fs.readdir(d).size() == 2);

  f.fs.forget(d);
  CHECK(test::errno_of([&] { f.fs.lookup(kRootIno, "medical"); }) == ENOENT);
  CHECK(replaced == std::vector<std::string>{"medical", "medical", "medical"});  // adopt, adopt again, forget
  CHECK(f.fs.data_list().empty());
}

TEST_CASE("rmdir and mkdir of a protected data are told to the daemon", "[core]") {
  Fixture f;
  std::vector<std::string> created, removed;
  f.fs.set_events({.created = [&](const std::string& name) { created.push_back(name); },
                   .removed = [&](uint64_t, const std::string& name, const DataInfo&) { removed.push_back(name); }});
  f.fs.mkdir(kRootIno, "a", 0755);
  f.fs.rmdir(kRootIno, "a");
  CHECK(created == std::vector<std::string>{"a"});
  CHECK(removed == std::vector<std::string>{"a"});
}

TEST_CASE("renaming over an empty protected data removes it as rmdir would: its grants and lineage go", "[core]") {
  Fixture f;
  struct Removed {
    uint64_t ino;
    std::string name;
    DataInfo info;
  };
  std::vector<Removed> removed;
  f.fs.set_events({.removed = [&](uint64_t ino, const std::string& name, const DataInfo& info) {
    removed.push_back({ino, name, info});
  }});
  const uint64_t a = f.fs.mkdir(kRootIno, "a", 0755).ino;
  const uint64_t b = f.fs.mkdir(kRootIno, "b", 0755).ino;
  f.fs.record_published(b, {.address = "0x0b"}, "");
  f.fs.add_order(b, IssuedOrder{});
  f.fs.rename(kRootIno, "a", kRootIno, "b", 0);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].ino == b);
  CHECK(removed[0].name == "b");
  CHECK(removed[0].info.address == "0x0b");   // what the daemon needs to hide the lineage
  CHECK(removed[0].info.orders.size() == 1);  // and to revoke every order of every version
  CHECK(f.fs.lookup(kRootIno, "b").ino == a);
  CHECK(test::errno_of([&] { f.fs.lookup(kRootIno, "a"); }) == ENOENT);
  // A rename that replaces nothing removes nothing.
  f.fs.rename(kRootIno, "b", kRootIno, "c", 0);
  CHECK(removed.size() == 1);
}

TEST_CASE("grants through attributes: set, read back, list, replace, revoke, and bad values change nothing",
          "[core][grants]") {
  Fixture f;
  std::vector<uint64_t> grant_changes;
  f.fs.set_events({.grants_changed = [&](uint64_t d, const std::string&) { grant_changes.push_back(d); }});
  const uint64_t d = f.fs.mkdir(kRootIno, "medical", 0755).ino;
  const std::string app = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  const std::string name = "user.protected.grant.any." + app;
  f.fs.setxattr(d, name, "price=5 count=2", 0);
  CHECK(f.fs.getxattr(d, name) == "price=5 count=2 remaining=2");
  const auto names = f.fs.listxattr(d);
  CHECK(std::find(names.begin(), names.end(), name) != names.end());
  const auto grants = nlohmann::json::parse(f.fs.getxattr(d, "user.protected.grants"));
  REQUIRE(grants.size() == 1);
  CHECK(grants[0]["user"] == "any");
  CHECK(grants[0]["app"] == app);
  CHECK(grants[0]["remaining"] == 2);
  CHECK(grants[0]["status"] == "pending");
  CHECK(grant_changes == std::vector<uint64_t>{d});

  // Malformed: EINVAL and nothing changed, nothing told.
  CHECK(test::errno_of([&] { f.fs.setxattr(d, name, "price=-1", 0); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs.setxattr(d, "user.protected.grant.any.any", "", 0); }) == EINVAL);
  CHECK(test::errno_of([&] { f.fs.setxattr(d, name, "count=1", XATTR_CREATE); }) == EEXIST);
  CHECK(f.fs.getxattr(d, name) == "price=5 count=2 remaining=2");
  CHECK(grant_changes.size() == 1);

  f.fs.setxattr(d, name, "count=unlimited", 0);  // replaces the terms
  CHECK(f.fs.getxattr(d, name) == "price=0 count=unlimited remaining=unlimited");
  f.fs.removexattr(d, name);
  CHECK(test::errno_of([&] { f.fs.getxattr(d, name); }) == ENODATA);
  CHECK(test::errno_of([&] { f.fs.removexattr(d, name); }) == ENODATA);
  CHECK(nlohmann::json::parse(f.fs.getxattr(d, "user.protected.grants")).empty());

  // At most 50 open grants per wallet, as iExec's market keeps.
  for (int i = 0; i < 50; ++i) {
    const std::string user = "0x" + std::string(38, '0') + to_hex(Bytes{static_cast<uint8_t>(i + 1)});
    f.fs.setxattr(d, "user.protected.grant." + user + "." + app, "", 0);
  }
  CHECK(test::errno_of([&] { f.fs.setxattr(d, name, "", 0); }) == EDQUOT);
  f.fs.removexattr(d, "user.protected.grants");  // revokes every grant
  CHECK(nlohmann::json::parse(f.fs.getxattr(d, "user.protected.grants")).empty());
}

TEST_CASE("user.protected.owner: a transfer needs a published version and a valid new owner", "[core][grants]") {
  Fixture f;
  const uint64_t d = f.fs.mkdir(kRootIno, "medical", 0755).ino;
  const std::string other = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
  CHECK(test::errno_of([&] { f.fs.setxattr(d, "user.protected.owner", other, 0); }) == EINVAL);  // a draft
  f.fs.record_published(d, {.address = "0x01", .owner = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}, "");
  f.fs.setxattr(d, "user.protected.owner", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 0);  // unchanged: cp -a
  CHECK(test::errno_of([&] { f.fs.setxattr(d, "user.protected.owner", "0x12", 0); }) == EINVAL);
  CHECK(test::errno_of([&] {
          f.fs.setxattr(d, "user.protected.owner", "0x0000000000000000000000000000000000000000", 0);
        }) == EINVAL);
  CHECK(f.fs.getxattr(d, "user.protected.status") == "published");
  f.fs.setxattr(d, "user.protected.owner", other, 0);
  CHECK(f.fs.getxattr(d, "user.protected.status") == "transferring to " + other);
  CHECK(test::errno_of([&] { f.fs.setxattr(d, "user.protected.owner", other, 0); }) == EBUSY);
}

TEST_CASE("a version published elsewhere keeps the grants this mount holds, and they follow it", "[core][grants]") {
  Fixture f;
  std::vector<uint64_t> grant_changes;
  f.fs.set_events({.grants_changed = [&](uint64_t d, const std::string&) { grant_changes.push_back(d); }});
  AdoptedData data;
  data.name = "medical";
  data.info.status = {.kind = DataStatus::Kind::Published};
  data.info.address = "0x01";
  const uint64_t d = f.fs.adopt(data);
  CHECK(grant_changes.empty());  // nothing to follow yet
  const std::string name = "user.protected.grant.any.0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  f.fs.setxattr(d, name, "count=3", 0);
  grant_changes.clear();

  data.info.address = "0x02";
  CHECK(f.fs.adopt(data) == d);
  CHECK(f.fs.getxattr(d, "user.protected.address") == "0x02");
  CHECK(f.fs.getxattr(d, name) == "price=0 count=3 remaining=3");
  CHECK(grant_changes == std::vector<uint64_t>{d});  // the keeper issues them for 0x02
}
