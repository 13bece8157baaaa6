// The iExec network against the real local peers, beyond the shared contract: CREATE2 prediction against the
// registry's own predictDataset, a registration whose answers are lost (no second dataset, no second transaction),
// a run matched on chain (one access consumed, refused after a revoke), the hub's stake as balance, and timings.
// Skipped without PFS_PEERS_ENV (see iexec_fixture.hpp).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "http_responder.hpp"
#include "iexec_fixture.hpp"
#include "network/iexec/chain_registry.hpp"
#include "network/iexec/context.hpp"
#include "network/iexec/contracts.hpp"
#include "network/iexec/market_client.hpp"
#include "network/iexec/orders.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::network;
using pfs::test::errno_of;
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

Hash32 tag_09() {
  Hash32 tag{};
  tag[31] = 0x09;
  return tag;
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
    if (lose_send_answer && body.find("eth_sendRawTransaction") != std::string::npos) return test::HttpResponder::Reply{502, "bad gateway"};
    if (lose_receipts && body.find("eth_getTransactionReceipt") != std::string::npos) return test::HttpResponder::Reply{503, "unavailable"};
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

  SECTION("the answer to eth_sendRawTransaction is lost: EAGAIN; the retry finds what landed") {
    const auto owner = peers.new_wallet();
    const Registration reg = random_registration();
    lose_send_answer = true;
    auto net = open_iexec_network(flaky);
    CHECK(errno_of([&] { net->registry->register_dataset(owner, reg); }) == EAGAIN);
    lose_send_answer = false;
    auto landed = net->registry->find_registration(owner.address(), reg);
    REQUIRE(landed);
    CHECK(errno_of([&] { net->registry->register_dataset(owner, reg); }) == EEXIST);
    CHECK(transaction_count(direct, owner.address()) == 1);
  }
}

TEST_CASE("iexec: a run is matched on chain and consumes one access; a revoked grant no longer matches",
          "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto context = std::make_shared<iexec::Context>(peers.profile());
  iexec::MarketClient market(context);
  auto net = peers.open();
  const crypto::Address app = peers.address("PFS_APP");
  const crypto::Address workerpool = peers.address("PFS_WORKERPOOL");

  // The app's and the workerpool's owners offer them for free on the market (nobody does on a fresh chain).
  iexec::AppOrder app_order{app, 0, 1000000, tag_09(), {}, {}, {}, random_array<32>()};
  const auto app_owner = peers.key("APP_OWNER");
  nlohmann::json app_json = app_order.to_json();
  app_json["sign"] = to_hex0x(crypto::sign_typed_data(app_owner, context->domain(), app_order));
  market.publish("apporders", market.login(app_owner), app_json);
  iexec::WorkerpoolOrder pool_order{workerpool, 0, 1000000, tag_09(), 0, 0, {}, {}, {}, random_array<32>()};
  const auto pool_owner = peers.key("WORKERPOOL_OWNER");
  nlohmann::json pool_json = pool_order.to_json();
  pool_json["sign"] = to_hex0x(crypto::sign_typed_data(pool_owner, context->domain(), pool_order));
  market.publish("workerpoolorders", market.login(pool_owner), pool_json);

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
  net->grants->publish(signed_grant);

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
  iexec::SignedAppOrder app_signed{app_order, from_hex(app_json["sign"].get<std::string>()), {}};
  iexec::SignedWorkerpoolOrder pool_signed{pool_order, from_hex(pool_json["sign"].get<std::string>()), {}};
  iexec::SignedRequestOrder forced;
  forced.order = iexec::RequestOrder{app, 0, dataset.address, 0, workerpool, 0, consumer.address(), 1, tag_09(),
                                     0, 0, consumer.address(), {}, iexec::request_params(""), random_array<32>()};
  forced.sign = crypto::sign_typed_data(consumer, context->domain(), forced.order);
  try {
    context->sender().send(consumer, peers.address("PFS_HUB"),
                           iexec::contracts::match_orders(app_signed, signed_grant, pool_signed, forced));
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
  CHECK(found_app->owner == app_owner.address());
  CHECK(found_app->name == "protectedfs-test-app");
  CHECK_FALSE(net->compute->find_app(crypto::Address(random_array<20>())));
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

  const auto key = crypto::PrivateKey::generate();
  (void)key;
  Bytes bytes(64 << 20);
  random_fill(bytes);
  start = std::chrono::steady_clock::now();
  auto upload = net->storage->begin_upload();
  for (std::size_t at = 0; at < bytes.size(); at += 1 << 20) upload->write(ByteView(bytes).subspan(at, 1 << 20));
  const std::string cid = upload->commit();
  const double uploading = seconds_since(start);
  std::printf("timing: upload of 64 MiB to js-ipfs (streamed, 4 MiB pipe): %.2f s (%.0f MiB/s)\n", uploading,
              64 / uploading);
  CHECK(net->storage->has(cid));
}
