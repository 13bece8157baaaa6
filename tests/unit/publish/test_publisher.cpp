// The publisher over the core and a local network, without a mount: the quiet period gathers changes into one
// version, and a folder removed while its publish waits is never published (nor crashes a worker: the entry a
// worker waits on can be erased while it sleeps).
#include <catch2/catch.hpp>

#include "core/memory_stores.hpp"
#include "network/local_fixture.hpp"
#include "protectedfs/publish/publisher.hpp"

using namespace pfs;
using namespace std::chrono_literals;

namespace {

struct PublisherFixture {
  test::LocalNetworkDir dir;
  std::unique_ptr<network::Network> network = dir.open();
  crypto::PrivateKey wallet = crypto::PrivateKey::generate();
  test::MemoryContents contents;
  test::MemoryTree tree;
  test::MemoryKeys keys;
  test::MemoryJournal journal;
  core::Filesystem fs{contents, tree, 1000, 1000};
  publish::Publisher publisher;

  explicit PublisherFixture(std::chrono::milliseconds delay)
      : publisher(fs, contents, *network, wallet, keys, journal, {.delay = delay}) {
    fs.set_events({
        .changed = [this](uint64_t data, const std::string& name) { publisher.changed(data, name); },
        .removed = [this](uint64_t data, const std::string& name,
                          const core::DataInfo& info) { publisher.removed(data, name, info.orders); },
    });
    publisher.start();
  }
  ~PublisherFixture() { publisher.stop(); }

  uint64_t file(uint64_t parent, const std::string& name, const std::string& text) {
    const uint64_t ino = fs.create(parent, name, 0644).ino;
    fs.write(ino, 0, as_bytes(text));
    fs.flush(ino);
    return ino;
  }
  std::size_t versions() { return network->registry->list_by_owner(wallet.address()).size(); }
};

}  // namespace

TEST_CASE("publisher: the changes of a quiet period become one version, its key kept", "[publish]") {
  PublisherFixture f(100ms);
  const uint64_t medical = f.fs.mkdir(core::kRootIno, "medical", 0755).ino;
  for (int i = 0; i < 20; ++i) f.file(medical, "note" + std::to_string(i) + ".txt", "text " + std::to_string(i));
  REQUIRE(f.publisher.wait_idle(10s));
  CHECK(f.fs.getxattr(medical, "user.protected.status") == "published");
  CHECK(f.versions() == 1);
  const std::string address = f.fs.getxattr(medical, "user.protected.address");
  CHECK(f.keys.get(address).has_value());
  CHECK(f.journal.load().empty());
}

TEST_CASE("publisher: a folder removed during its quiet period is never published", "[publish]") {
  PublisherFixture f(300ms);
  for (int round = 0; round < 5; ++round) {
    const std::string name = "draft" + std::to_string(round);
    const uint64_t data = f.fs.mkdir(core::kRootIno, name, 0755).ino;
    f.file(data, "email.txt", "alice@example.com");
    std::this_thread::sleep_for(20ms);  // the workers now sleep until this entry is due
    f.fs.unlink(data, "email.txt");
    f.fs.rmdir(core::kRootIno, name);
  }
  REQUIRE(f.publisher.wait_idle(10s));
  CHECK(f.versions() == 0);
  CHECK(f.journal.load().empty());
}
