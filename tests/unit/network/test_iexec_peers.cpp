// The iExec network against the real local peers, beyond the shared contract: CREATE2 prediction against the
// registry's own predictDataset, a registration whose answers are lost (no second dataset, no second transaction),
// a run matched on chain (one access consumed, refused after a revoke), the hub's stake as balance, and timings.
// Skipped without PFS_PEERS_ENV (see iexec_fixture.hpp).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "contract_support.hpp"
#include "http_responder.hpp"
#include "iexec_fixture.hpp"
#include "iexec_peer_tools.hpp"
#include "network/iexec/chain_registry.hpp"
#include "network/iexec/context.hpp"
#include "network/iexec/contracts.hpp"
#include "network/iexec/orders.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/result_cipher.hpp"
#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::network;
using pfs::test::errno_of;
using pfs::test::tag_09;
namespace abi = crypto::abi;

namespace {

Registration random_registration(const std::string& schema = R"({"email":"string"})") {
  return Registration{"pfs-" + to_hex(random_array<6>()), format::multiaddr_p2p(random_array<32>()), random_array<32>(),
                      schema};
}

uint64_t transaction_count(iexec::Context& context, const crypto::Address& account) {
  return iexec::Chain::parse_quantity(
      context.chain().rpc().call("eth_getTransactionCount", nlohmann::json::array({account.to_lowercase(), "latest"})),
      "nonce");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("iexec: a registration lands where predictDataset says, and is found there", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  iexec::Context context(peers.profile());
  auto net = peers.open();
  auto& registry = dynamic_cast<iexec::ChainRegistry&>(*net->registry);
  const auto owner = peers.new_wallet();
  const Registration reg = random_registration();

  const Bytes call = abi::encode_call("predictDataset(address,string,bytes,bytes32)",
                                      {abi::Value::address(owner.address()), abi::Value::string(reg.name),
                                       abi::Value::bytes(reg.multiaddr), abi::Value::bytes32(reg.checksum)});
  const auto on_chain = abi::decode_address(context.chain().call(peers.address("PFS_DATASET_REGISTRY"), call));
  CHECK(registry.predicted_address(owner.address(), reg) == on_chain);
  const DatasetRecord record = registry.register_dataset(owner, reg);
  CHECK(record.address == on_chain);
  auto found = peers.open()->registry->find_registration(owner.address(), reg);
  REQUIRE(found);
  CHECK(found->address == on_chain);
  CHECK(found->tx == record.tx);
}

TEST_CASE("iexec: a registration whose answers are lost is found again, never sent twice", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  // A JSON-RPC proxy in front of anvil that loses answers: the node does the work, the client never hears of it.
  auto upstream = std::make_shared<iexec::HttpClient>();
  std::atomic<bool> lose_send_answer{false};
  std::atomic<bool> lose_receipts{false};
  test::HttpResponder proxy([&](const test::HttpResponder::Request& request) {
    iexec::HttpRequest forward;
    forward.method = "POST";
    forward.url = peers.get("PFS_RPC");
    forward.headers = {"Content-Type: application/json"};
    forward.body = request.body;
    const auto answer = upstream->send(forward);
    const std::string& body = request.body;
    if (lose_send_answer && body.find("eth_sendRawTransaction") != std::string::npos)
      return test::HttpResponder::Reply{502, "bad gateway"};
    if (lose_receipts && body.find("eth_getTransactionReceipt") != std::string::npos)
      return test::HttpResponder::Reply{503, "unavailable"};
    return test::HttpResponder::Reply{static_cast<int>(answer.status), answer.body, {"Content-Type: application/json"}};
  });
  Profile flaky = peers.profile();
  flaky.rpc = proxy.url();
  flaky.tx_timeout = std::chrono::seconds(2);
  iexec::Context direct(peers.profile());

  SECTION("the receipt never comes: EAGAIN; the retry sees the first registration and sends nothing") {
    const auto owner = peers.new_wallet();
    const Registration reg = random_registration();
    lose_receipts = true;
    auto net = open_iexec_network(flaky);
    CHECK(errno_of([&] { net->registry->register_dataset(owner, reg); }) == EAGAIN);
    lose_receipts = false;
    CHECK(transaction_count(direct, owner.address()) == 1);
    // What the publisher does on retry (here after a restart: a new handle).
    auto again = open_iexec_network(flaky);
    auto landed = again->registry->find_registration(owner.address(), reg);
    REQUIRE(landed);
    CHECK(errno_of([&] { again->registry->register_dataset(owner, reg); }) == EEXIST);
    CHECK(transaction_count(direct, owner.address()) == 1);
    CHECK(again->registry->list_by_owner(owner.address()).size() == 1);
  }

  SECTION("the answer to eth_sendRawTransaction is lost: EAGAIN; the retry gets the one registration") {
    const auto owner = peers.new_wallet();
    const Registration reg = random_registration();
    lose_send_answer = true;
    auto net = open_iexec_network(flaky);
    try {
      net->registry->register_dataset(owner, reg);
      FAIL("registered although the answer was lost");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(e.code() == EAGAIN);
      CHECK(std::string(e.what()).find("eth_sendRawTransaction") != std::string::npos);
    }
    lose_send_answer = false;
    // The publisher's retry: what landed, else register (which waits for the transaction already sent).
    auto landed = net->registry->find_registration(owner.address(), reg);
    if (!landed) landed = net->registry->register_dataset(owner, reg);
    CHECK(landed->address ==
          dynamic_cast<iexec::ChainRegistry&>(*net->registry).predicted_address(owner.address(), reg));
    CHECK(errno_of([&] { net->registry->register_dataset(owner, reg); }) == EEXIST);
    CHECK(transaction_count(direct, owner.address()) == 1);
    CHECK(net->registry->list_by_owner(owner.address()).size() == 1);
  }
}

TEST_CASE("iexec: a run is matched on chain and consumes one access, a revoked grant no longer matches",
          "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto context = std::make_shared<iexec::Context>(peers.profile());
  auto net = peers.open();
  const crypto::Address app = peers.address("PFS_APP");
  const crypto::Address workerpool = peers.address("PFS_WORKERPOOL");
  const auto offers = test::offer_free_app_and_workerpool(peers, context);

  const auto owner = peers.new_wallet();
  const auto consumer = peers.new_wallet();
  const auto dataset = net->registry->register_dataset(owner, random_registration());
  crypto::DatasetOrder grant;
  grant.dataset = dataset.address;
  grant.volume = 2;
  grant.tag = tag_09();
  grant.apprestrict = app;
  grant.requesterrestrict = consumer.address();
  grant.salt = random_array<32>();
  const auto domain = net->grants->domain();
  const SignedOrder signed_grant{grant, grant.sign(owner, domain), grant.hash(domain)};
  net->grants->publish(owner, signed_grant);

  RunRequest request{dataset.address, app, "--hello", "/tmp/pfs-iexec-run-out-unused", std::nullopt};
  const auto start = std::chrono::steady_clock::now();
  const RunResult result = net->compute->run(consumer, request);
  std::printf("timing: run (fetch orders, sign the request, matchOrders, receipt) on anvil: %.3f s\n",
              seconds_since(start));
  CHECK(result.order_hash == signed_grant.hash);
  CHECK(result.price == 0);
  REQUIRE(result.task.size() == 66);
  auto state = net->grants->order(signed_grant.hash);
  REQUIRE(state);
  CHECK(state->consumed == 1);
  CHECK(state->uses == 1);
  CHECK(state->remaining() == 1);
  // The task exists on the hub's books as the deal's first task; no worker runs it here, so it stays UNSET.
  const auto view = iexec::contracts::decode_task(
      context->chain().call(peers.address("PFS_HUB"), iexec::contracts::view_task(from_hex_fixed<32>(result.task))));
  CHECK(view.status == iexec::contracts::TaskStatus::unset);

  // Someone else (not the granted requester) is refused before anything is sent.
  const auto stranger = peers.new_wallet();
  CHECK(errno_of([&] { net->compute->run(stranger, request); }) == EACCES);

  net->grants->revoke(owner, signed_grant);
  CHECK(errno_of([&] { net->compute->run(consumer, request); }) == EACCES);
  state = net->grants->order(signed_grant.hash);
  REQUIRE(state);
  CHECK(state->closed);
  CHECK(state->uses == 1);

  // Forcing the match with the revoked grant: the hub itself refuses it (volume 0).
  iexec::SignedRequestOrder forced;
  forced.order = iexec::RequestOrder{app,
                                     0,
                                     dataset.address,
                                     0,
                                     workerpool,
                                     0,
                                     consumer.address(),
                                     1,
                                     tag_09(),
                                     0,
                                     0,
                                     consumer.address(),
                                     {},
                                     iexec::request_params(""),
                                     random_array<32>()};
  forced.sign = crypto::sign_typed_data(consumer, context->domain(), forced.order);
  try {
    context->sender().send(consumer, peers.address("PFS_HUB"),
                           iexec::contracts::match_orders(offers.app, signed_grant, offers.workerpool, forced));
    FAIL("the hub matched a revoked grant");
  } catch (const iexec::RpcError& e) {
    CHECK(e.is_revert());
    CHECK(e.reason() == "iExecV5-matchOrders-0x60");
  }

  // Apps and funds come from iExec's own tools.
  CHECK(errno_of([&] { net->compute->register_app(owner, "/bin/true", "x"); }) == ENOTSUP);
  CHECK(errno_of([&] { net->compute->fund(owner.address(), 1); }) == ENOTSUP);
  const auto found_app = net->compute->find_app(app);
  REQUIRE(found_app);
  CHECK(found_app->owner == peers.key("APP_OWNER").address());
  CHECK(found_app->name == "protectedfs-test-app");
  CHECK_FALSE(net->compute->find_app(crypto::Address(random_array<20>())));
}

TEST_CASE("iexec: iExec's SDK reads what protectedfs published, and protectedfs reads what the SDK published",
          "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto net = peers.open();
  const auto owner = peers.new_wallet();
  const crypto::Address app = peers.address("PFS_APP");
  const crypto::Address other_app(random_array<20>());
  const crypto::Address consumer = peers.address("PFS_CONSUMER_ADDRESS");
  const Bytes plaintext = test::generated_bytes(300000, 7);
  const auto dataset = test::publish_dataset(*net, owner, plaintext, "sdk-interop-" + to_hex(random_array<4>()));
  const auto domain = net->grants->domain();
  crypto::DatasetOrder grant = test::grant_order(dataset.address, app, consumer, 0, 3);
  const SignedOrder signed_grant{grant, grant.sign(owner, domain), grant.hash(domain)};
  net->grants->publish(owner, signed_grant);

  // The SDK, as a consumer's tools would use it.
  ::setenv("PFS_SDK_OWNER_KEY", to_hex0x(owner.secret_bytes()).c_str(), 1);
  const auto sdk =
      test::run_peers_script(peers, "iexec_sdk_check.mjs",
                             dataset.address.to_string() + " " + to_hex0x(signed_grant.hash) + " " + app.to_string() +
                                 " " + consumer.to_string() + " " + other_app.to_string());
  ::unsetenv("PFS_SDK_OWNER_KEY");
  CHECK(sdk["name"] == dataset.name);
  CHECK(sdk["multiaddr"] == format::multiaddr_to_text(dataset.multiaddr));
  CHECK(sdk["checksum"] == to_hex0x(dataset.checksum));
  CHECK(sdk["owner"] == owner.address().to_string());
  CHECK(sdk["secretExists"] == true);
  CHECK(sdk["orderHash"] == to_hex0x(signed_grant.hash));
  CHECK(sdk["signer"] == owner.address().to_string());
  CHECK(sdk["remaining"] == 3);
  CHECK(sdk["status"] == "open");
  CHECK(sdk["bookCount"] == 1);
  CHECK(sdk["bookHash"] == to_hex0x(signed_grant.hash));

  // The SDK's own order, listed and understood by protectedfs.
  const Hash32 sdk_hash = from_hex_fixed<32>(sdk["sdkOrderHash"].get<std::string>());
  const auto open = net->grants->open_orders(dataset.address);
  REQUIRE(open.size() == 2);
  CHECK(open[1].order.hash == sdk_hash);
  CHECK(open[1].order.order.hash(domain) == sdk_hash);
  CHECK(crypto::recover_address(sdk_hash, open[1].order.signature) == owner.address());
  CHECK(open[1].order.order.apprestrict == other_app);
  CHECK(open[1].remaining() == 4);
  CHECK(to_hex0x(open[1].order.order.tag) == "0x0000000000000000000000000000000000000000000000000000000000000009");
  // And the content is what was encrypted: the gateway serves the ciphertext whose SHA-256 is the checksum.
  const auto location = format::decode_dataset_multiaddr(dataset.multiaddr);
  auto stored = net->storage->open(location.text.substr(5));
  Bytes ciphertext(stored->size());
  stored->read_at(0, ciphertext);
  CHECK(crypto::Sha256::digest(ciphertext) == dataset.checksum);
}

TEST_CASE("iexec: a result-encryption key pushed as the SDK pushes it, and the SDK finds it",
          "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto net = peers.open();
  const auto consumer = peers.new_wallet();
  const crypto::Address stranger(random_array<20>());
  CHECK_FALSE(net->secrets->result_key_exists(consumer.address()));
  const auto first = crypto::generate_result_key_pair();
  net->secrets->push_result_key(consumer, first.public_pem);  // POST
  CHECK(net->secrets->result_key_exists(consumer.address()));
  const auto second = crypto::generate_result_key_pair();
  net->secrets->push_result_key(consumer, second.public_pem);  // PUT: replaced, as the SDK's forceUpdate
  CHECK(errno_of([&] { net->secrets->push_result_key(consumer, "not a key"); }) == EINVAL);

  const auto sdk = test::run_peers_script(peers, "iexec_result_key_check.mjs",
                                          consumer.address().to_string() + " " + stranger.to_string());
  CHECK(sdk[consumer.address().to_string()] == true);
  CHECK(sdk[stranger.to_string()] == false);
  CHECK(sdk["sdkPush"] == true);  // the stand-in takes the SDK's own push: same challenge as protectedfs's
}

TEST_CASE("iexec: a bulk request is one deal over the slices on IPFS, as the SDK's prepareDatasetBulk makes them",
          "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto context = std::make_shared<iexec::Context>(peers.profile());
  auto net = peers.open();
  const crypto::Address app = peers.address("PFS_APP");
  test::offer_free_app_and_workerpool(peers, context);

  // Three data of two owners, granted in bulk to the consumer.
  const auto owner = peers.new_wallet();
  const auto other_owner = peers.new_wallet();
  const auto consumer = peers.new_wallet();
  const auto domain = net->grants->domain();
  std::vector<crypto::Address> datasets;
  for (int i = 0; i < 3; ++i) {
    const auto& who = i == 1 ? other_owner : owner;
    const auto dataset = net->registry->register_dataset(who, random_registration());
    crypto::DatasetOrder grant = test::grant_order(dataset.address, app, consumer.address(), 0, kBulkVolume);
    net->grants->publish(who, SignedOrder{grant, grant.sign(who, domain), grant.hash(domain)});
    datasets.push_back(dataset.address);
  }
  const auto orders = gather_bulk_orders(*net->grants, datasets, app, consumer.address(), false);
  REQUIRE(orders.size() == 3);
  CHECK(errno_of([&] { gather_bulk_orders(*net->grants, datasets, app, owner.address(), false); }) == EACCES);

  BulkRunRequest request;
  request.app = app;
  request.orders = orders;
  request.max_per_task = 2;
  request.encrypt_result = true;
  const BulkRunResult result = net->compute->run_bulk(consumer, request);
  REQUIRE(result.tasks.size() == 2);
  CHECK(result.tasks[0].datasets == std::vector<crypto::Address>{datasets[0], datasets[1]});
  CHECK(result.tasks[1].datasets == std::vector<crypto::Address>{datasets[2]});
  // Bulk grants are not consumed by the deal.
  for (const auto& order : orders) CHECK(net->grants->order(order.hash)->consumed == 0);

  const auto sdk = test::run_peers_script(peers, "iexec_bulk_check.mjs", result.deal + " 2");
  CHECK(sdk["dataset"] == "0x0000000000000000000000000000000000000000");
  CHECK(sdk["botSize"] == 2);
  CHECK(sdk["encryption"] == true);
  CHECK(sdk["sliceSizes"] == nlohmann::json::array({2, 1}));
  CHECK(sdk["datasets"] ==
        nlohmann::json::array({datasets[0].to_string(), datasets[1].to_string(), datasets[2].to_string()}));
  CHECK(sdk["verified"] == 3);             // PoCo's verifySignature, for every order of every slice
  CHECK(sdk["sdkCid"] == sdk["bulkCid"]);  // the SDK's prepareDatasetBulk on the same orders: the same root
  CHECK(sdk["sdkVolume"] == 2);
}

TEST_CASE("iexec: the balance is the hub's stake, in nRLC", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  iexec::Context context(peers.profile());
  auto net = peers.open();
  const auto wallet = peers.new_wallet();
  CHECK(net->compute->balance(wallet.address()) == 0);
  // On a native chain the stake is deposited in the chain's coin: 1 nRLC = 10^9 wei.
  context.sender().send(wallet, peers.address("PFS_HUB"), abi::encode_call("deposit()", {}),
                        crypto::Uint256(uint64_t{7'000'000'000}));
  CHECK(net->compute->balance(wallet.address()) == 7);
}

TEST_CASE("iexec: several threads registering with one wallet: nonces never collide, each lands once",
          "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto net = peers.open();
  const auto owner = peers.new_wallet();
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        try {
          net->registry->register_dataset(owner, random_registration());
        } catch (const std::exception& e) {
          std::printf("registration failed: %s\n", e.what());
          ++failures;
        }
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(net->registry->list_by_owner(owner.address()).size() == kThreads * kEach);
  iexec::Context context(peers.profile());
  CHECK(transaction_count(context, owner.address()) == kThreads * kEach);
}

namespace {

// The resident set of this process, in KiB (VmRSS of /proc/self/status).
uint64_t resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
  return 0;
}

}  // namespace

TEST_CASE("iexec: an upload of any size holds a few MiB, whatever the speed of the node", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto net = peers.open();
  constexpr std::size_t kMiB = 1 << 20;
  constexpr std::size_t kTotal = 256;
  Bytes chunk(kMiB);
  random_fill(chunk);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> peak{0};
  const uint64_t before = resident_kib();
  std::thread sampler([&] {
    while (!done) {
      peak = std::max<uint64_t>(peak, resident_kib());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  format::CidBuilder expected;
  const auto start = std::chrono::steady_clock::now();
  auto upload = net->storage->begin_upload();
  for (std::size_t i = 0; i < kTotal; ++i) {
    std::memcpy(chunk.data(), &i, sizeof i);  // every MiB differs
    expected.update(chunk);
    upload->write(chunk);
  }
  const std::string cid = upload->commit();
  const double elapsed = seconds_since(start);
  done = true;
  sampler.join();
  CHECK(cid == expected.finish().cid);
  const double growth_mib = (static_cast<double>(peak) - static_cast<double>(before)) / 1024;
  std::printf("timing: upload of %zu MiB to js-ipfs: %.2f s (%.0f MiB/s); resident set grew by %.1f MiB at most\n",
              kTotal, elapsed, static_cast<double>(kTotal) / elapsed, growth_mib);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer keeps freed memory in quarantine (256 MiB by default): the bound is checked in normal builds.
  (void)growth_mib;
#else
  CHECK(growth_mib < 32);
#endif
}

TEST_CASE("iexec: timings against the local peers", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto net = peers.open();
  const auto owner = peers.new_wallet();

  constexpr int kRegistrations = 20;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRegistrations; ++i) net->registry->register_dataset(owner, random_registration());
  const double registering = seconds_since(start);
  std::printf("timing: registration (estimate, sign, send, receipt, log, block time) on anvil: %.1f ms each\n",
              1000 * registering / kRegistrations);

  start = std::chrono::steady_clock::now();
  CHECK(peers.open()->registry->list_by_owner(owner.address()).size() == kRegistrations);
  std::printf("timing: list_by_owner of %d datasets, fresh handle: %.1f ms\n", kRegistrations,
              1000 * seconds_since(start));

  start = std::chrono::steady_clock::now();
  const auto found = peers.open()->registry->find_by_schema({"email:string"}, owner.address());
  CHECK(found.size() == kRegistrations);
  std::printf("timing: find_by_schema of one owner's %d datasets, fresh handle: %.1f ms\n", kRegistrations,
              1000 * seconds_since(start));
}
