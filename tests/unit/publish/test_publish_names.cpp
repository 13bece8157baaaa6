// Hard links and renames as the publisher sees them (issue 14): each name of a hard-linked field is a field of its
// own in the published version, its bytes read back the same under each key; a link, an unlink of one name, a
// rename over a file and an exchange each publish one version.
#include <catch2/catch.hpp>

#include <linux/fs.h>

#include <nlohmann/json.hpp>

#include "protectedfs/remote/published_reader.hpp"
#include "publish/saga_world.hpp"

using namespace pfs;
using namespace std::chrono_literals;

namespace {

std::size_t registrations(test::SagaWorld& w) { return w.network->registry->list_by_owner(w.wallet.address()).size(); }

// The published leaf `entry` of the data's newest version, as a reader on another machine gets it.
std::string published(test::SagaWorld& w, uint64_t data, const std::string& entry, const std::string& type) {
  remote::PublishedReader reader(*w.network, w.keys);
  const core::PublishedLeaf leaf{w.fs().getxattr(data, "user.protected.address"), entry, type};
  std::vector<uint8_t> buffer(4096);
  buffer.resize(reader.read(leaf, 0, buffer));
  return std::string(buffer.begin(), buffer.end());
}

nlohmann::json schema(test::SagaWorld& w, uint64_t data) {
  return nlohmann::json::parse(w.fs().getxattr(data, "user.protected.schema"));
}

}  // namespace

TEST_CASE("publish: each name of a hard-linked field is a field, the same bytes, one version per change",
          "[publish][links]") {
  test::SagaWorld w;
  const uint64_t data = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  const uint64_t scans = w.fs().mkdir(data, "scans", 0755).ino;
  w.write_file(data, "email.txt", "alice@example.com");
  w.settle();
  REQUIRE(registrations(w) == 1);
  const uint64_t ino = w.fs().lookup(data, "email.txt").ino;
  w.fs().link(ino, scans, "contact.txt");
  w.fs().link(ino, data, ".backup");  // local: not published
  w.settle();
  CHECK(registrations(w) == 2);
  CHECK(w.fs().getxattr(data, "user.protected.status") == "published");
  CHECK(schema(w, data) == nlohmann::json::parse(R"({"email": "string", "scans": {"contact": "string"}})"));
  CHECK(published(w, data, "email", "string") == "alice@example.com\n");
  CHECK(published(w, data, "scans/contact", "string") == "alice@example.com\n");
  // One name goes: one version without it, the other still published.
  w.fs().unlink(data, "email.txt");
  w.settle();
  CHECK(registrations(w) == 3);
  CHECK(schema(w, data) == nlohmann::json::parse(R"({"scans": {"contact": "string"}})"));
  CHECK(published(w, data, "scans/contact", "string") == "alice@example.com\n");
}

TEST_CASE("publish: a rename over a file and an exchange publish one version each", "[publish][rename]") {
  test::SagaWorld w;
  const uint64_t data = w.fs().mkdir(core::kRootIno, "project", 0755).ino;
  w.write_file(data, "a.txt", "alpha");
  w.write_file(data, "b.txt", "beta");
  w.settle();
  REQUIRE(registrations(w) == 1);
  w.write_file(data, ".a.txt.tmp", "alpha 2");
  w.fs().rename(data, ".a.txt.tmp", data, "a.txt", 0);
  w.settle();
  CHECK(registrations(w) == 2);
  CHECK(published(w, data, "a", "string") == "alpha 2\n");
  w.fs().rename(data, "a.txt", data, "b.txt", RENAME_EXCHANGE);
  w.settle();
  CHECK(registrations(w) == 3);
  CHECK(published(w, data, "a", "string") == "beta\n");
  CHECK(published(w, data, "b", "string") == "alpha 2\n");
  // Two names of one file renamed onto each other: nothing to publish.
  const uint64_t ino = w.fs().lookup(data, "a.txt").ino;
  w.fs().link(ino, data, "c.txt");
  w.settle();
  CHECK(registrations(w) == 4);
  w.fs().rename(data, "a.txt", data, "c.txt", 0);
  w.settle();
  CHECK(registrations(w) == 4);
}
