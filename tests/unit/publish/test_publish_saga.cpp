// The publish saga over the scripted network: a version is registered once whatever fails after it (issue 9 §1),
// the same snapshot publishes nothing, a replaced grant keeps an open order (§7), a hung step shows in the status.
#include <catch2/catch.hpp>

#include <thread>

#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/publish/grant_keeper.hpp"
#include "publish/saga_world.hpp"

using namespace pfs;
using namespace std::chrono_literals;
using test::FaultScript;

namespace {

const std::string kApp = "0x00000000000000000000000000000000000a9901";
const std::string kUser = "0x00000000000000000000000000000000000b0b02";

std::size_t registrations(test::SagaWorld& w) { return w.network->registry->list_by_owner(w.wallet.address()).size(); }

}  // namespace

TEST_CASE("publish saga: a grant book failing after a publish does not register the version again", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.fs().setxattr(medical, "user.protected.grant.any." + kApp, "price=1 count=3", 0);
  // The grant book is down (market stopped, ledger locked) from its first call on.
  w.script.fail_from("grants.publish", 1, EIO);
  w.advance(2s);  // the quiet period: publish, then the grants fail
  CHECK(w.fs().getxattr(medical, "user.protected.status").rfind("failed: grants: ", 0) == 0);
  for (int retry = 0; retry < 6; ++retry) w.advance(60s);  // six backoffs while it stays down
  CHECK(w.script.calls("grants.publish") >= 6);
  CHECK(w.script.calls("registry.register") == 1);
  CHECK(w.script.calls("storage.upload") == 1);
  w.script.recover("grants.publish");
  w.settle();
  CHECK(registrations(w) == 1);
  CHECK(w.script.calls("registry.register") == 1);
  CHECK(w.fs().getxattr(medical, "user.protected.status") == "published");
  const auto address = crypto::Address::parse(w.fs().getxattr(medical, "user.protected.address"));
  CHECK(w.network->grants->open_orders(address).size() == 1);
  CHECK(w.journal.load().empty());
}

TEST_CASE("publish saga: a restart while the grant book is down does not register the version again", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.fs().setxattr(medical, "user.protected.grant.any." + kApp, "price=1 count=3", 0);
  w.script.fail_from("grants.publish", 1, EIO);
  w.advance(2s);
  w.boot();  // unmount and mount again, the grant book still down
  w.advance(60s);
  w.boot();
  w.script.recover("grants.publish");
  w.settle();
  CHECK(w.script.calls("registry.register") == 1);
  CHECK(w.script.calls("storage.upload") == 1);
  CHECK(w.fs().getxattr(w.data("medical"), "user.protected.status") == "published");
}

TEST_CASE("publish saga: a snapshot equal to the published one publishes nothing", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.settle();
  REQUIRE(registrations(w) == 1);
  // A file created and removed within one quiet period: the folder is as it was published.
  w.write_file(medical, "tmp.txt", "scratch");
  w.fs().unlink(medical, "tmp.txt");
  CHECK(w.fs().getxattr(medical, "user.protected.status") == "pending");
  w.settle();
  CHECK(registrations(w) == 1);
  CHECK(w.script.calls("storage.upload") == 1);
  CHECK(w.fs().getxattr(medical, "user.protected.status") == "published");
  // A real change still publishes.
  w.write_file(medical, "email.txt", "bob@example.com");
  w.settle();
  CHECK(registrations(w) == 2);
}

TEST_CASE("publish saga: an upload redone after a crash is the same bytes (no orphan in the store)", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.script.crash("storage.upload", 1, FaultScript::When::After);  // committed, its content id never journaled
  w.settle();
  CHECK(w.crashes == 1);
  CHECK(w.script.calls("storage.upload") == 2);
  CHECK(registrations(w) == 1);
  // Both uploads gave one content id: the store holds one object.
  const auto record = w.network->registry->list_by_owner(w.wallet.address()).at(0);
  CHECK(w.network->storage->has(format::decode_dataset_multiaddr(record.multiaddr).text.substr(5)));
}

TEST_CASE("publish saga: replacing a grant closes the old order, then opens the new one", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  const std::string grant = "user.protected.grant." + kUser + "." + kApp;
  w.fs().setxattr(medical, grant, "price=1 count=3", 0);
  w.settle();
  const auto address = crypto::Address::parse(w.fs().getxattr(medical, "user.protected.address"));
  REQUIRE(w.network->grants->open_orders(address).size() == 1);
  w.fs().setxattr(medical, grant, "price=2 count=5", 0);  // new terms
  w.settle();
  const auto open = w.network->grants->open_orders(address);
  REQUIRE(open.size() == 1);
  CHECK(open[0].order.order.datasetprice == crypto::Uint256(uint64_t{2}));
  CHECK(open[0].order.order.volume == crypto::Uint256(uint64_t{5}));
  CHECK(w.fs().getxattr(medical, grant) == "price=2 count=5 remaining=5");
  const std::string shown = w.fs().getxattr(medical, "user.protected.grants");
  CHECK(shown.find(to_hex0x(open[0].order.hash)) != std::string::npos);
  CHECK(shown.find("\"open\"") != std::string::npos);
  // The close came first: the book never saw a second open order for the same dataset, app and requester.
  const auto log = w.script.log();
  const auto revoke = std::find(log.begin(), log.end(), "grants.revoke#1");
  const auto publish = std::find(log.begin(), log.end(), "grants.publish#2");
  CHECK(revoke < publish);
}

TEST_CASE("publish saga: the grant book's refusals are told apart and never taken for success", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.settle();
  const auto dataset = crypto::Address::parse(w.fs().getxattr(medical, "user.protected.address"));
  auto& book = *w.network->grants;
  auto make = [&](uint64_t price) {
    crypto::DatasetOrder o;
    o.dataset = dataset;
    o.datasetprice = price;
    o.volume = 1;
    o.apprestrict = crypto::Address::parse(kApp);
    o.salt = random_array<32>();
    return network::SignedOrder{o, o.sign(w.wallet, book.domain()), o.hash(book.domain())};
  };
  const auto first = make(1), second = make(2);
  publish::publish_order(book, w.wallet, first);
  CHECK_NOTHROW(publish::publish_order(book, w.wallet, first));  // published before, its answer lost: success
  CHECK_THROWS_AS(publish::publish_order(book, w.wallet, second), publish::OrderConflict);
  book.revoke(w.wallet, first);
  CHECK_THROWS_AS(publish::publish_order(book, w.wallet, first), publish::OrderClosed);
  CHECK_NOTHROW(publish::publish_order(book, w.wallet, second));  // the slot is free now
}

TEST_CASE("publish saga: a hung registration shows its step, released, the version is published", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.script.hang("registry.register", 1);
  w.now += 2s;
  std::thread worker([&] { w.publisher().run_once(); });
  while (!w.script.hanging()) std::this_thread::yield();
  CHECK(w.fs().getxattr(medical, "user.protected.status") == "publishing register 0%");
  CHECK(w.publisher().queue_json().find("register") != std::string::npos);
  w.script.release("registry.register");
  worker.join();
  CHECK(w.fs().getxattr(medical, "user.protected.status") == "published");
  CHECK(registrations(w) == 1);
}

TEST_CASE("publish saga: a folder removed while its publish is registering: the version gets its key, nothing is lost",
          "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.now += 2s;
  // The registration hangs on the publisher's thread while the user removes the folder on another.
  w.script.hang("registry.register", 1);
  std::thread publisher([&] { w.publisher().run_once(); });
  while (!w.script.hanging()) std::this_thread::yield();
  w.fs().unlink(medical, "email.txt");
  w.fs().rmdir(core::kRootIno, "medical");
  // The removal took the saga in; the running publish goes on journaling into it.
  const auto journaled = w.journal.load();
  REQUIRE(journaled.size() == 1);
  CHECK(journaled.begin()->second.find("\"saga\"") != std::string::npos);
  w.script.release("registry.register");
  publisher.join();
  w.settle();
  const auto lineage = w.network->registry->list_by_owner(w.wallet.address());
  REQUIRE(lineage.size() == 1);                           // registered once…
  CHECK(w.network->secrets->exists(lineage[0].address));  // …with its key
  CHECK(w.journal.load().empty());
  CHECK_THROWS(w.data("medical"));
}

// The world's publisher starts an upload after 500 ms of quiet (PublisherOptions::upload_after), as the daemon does
// with a quarter of its delay: the bytes are stored while the rest of the 2 s quiet period runs.
TEST_CASE("publish saga: an upload started during the quiet period is registered only once it is over", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.advance(400ms);
  CHECK(w.script.calls("storage.upload") == 0);
  w.advance(200ms);
  CHECK(w.script.calls("storage.upload") == 1);
  CHECK(w.script.calls("registry.register") == 0);
  CHECK(w.fs().getxattr(medical, "user.protected.status") == "pending");
  w.advance(1300ms);  // 1.9 s of quiet
  CHECK(w.script.calls("registry.register") == 0);
  w.advance(100ms);
  CHECK(w.script.calls("registry.register") == 1);
  CHECK(w.script.calls("storage.upload") == 1);
  CHECK(w.fs().getxattr(medical, "user.protected.status") == "published");
  CHECK(w.journal.load().empty());
}

TEST_CASE("publish saga: a change after an early upload lets it go and publishes one version", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.advance(600ms);
  REQUIRE(w.script.calls("storage.upload") == 1);
  w.write_file(medical, "email.txt", "bob@example.com");  // the quiet period starts again
  w.advance(600ms);
  CHECK(w.script.calls("storage.remove") == 1);  // the first upload, never registered
  CHECK(w.script.calls("storage.upload") == 2);
  w.boot();  // a restart while the second waits for its registration: resumed, not uploaded a third time
  w.settle();
  CHECK(w.script.calls("registry.register") == 1);
  CHECK(w.script.calls("storage.upload") == 2);
  CHECK(registrations(w) == 1);
  CHECK(w.read_file(medical, "email.txt") == "bob@example.com");
  CHECK(w.fs().getxattr(medical, "user.protected.status") == "published");
  CHECK(w.journal.load().empty());
}
