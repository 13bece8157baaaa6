// The grant book contract (network.hpp GrantBook): PoCo's and the market's rules for DatasetOrders, against the
// interfaces only.
#include <catch2/catch.hpp>

#include "contract_network.hpp"
#include "contract_support.hpp"
#include "vectors.hpp"

namespace pfs::test {
namespace {

std::vector<Hash32> hashes(const std::vector<network::OrderState>& states) {
  std::vector<Hash32> out;
  for (const auto& s : states) out.push_back(s.order.hash);
  return out;
}

}  // namespace

void check_grant_book_contract(const NetworkUnderTest& net) {
  auto network = net.open();
  auto& book = *network->grants;
  const auto owner = net.new_wallet();
  const auto stranger = net.new_wallet();
  const crypto::Address app(random_array<20>());
  const crypto::Address user(random_array<20>());
  const auto dataset = network->registry->register_dataset(owner, make_registration(unique_tag(), R"({"a":"bool"})"));

  SECTION("the domain is PoCo's: iExecODB 5.0.0 on the network's chain") {
    const auto domain = book.domain();
    CHECK(domain.name == "iExecODB");
    CHECK(domain.version == "5.0.0");
    CHECK(domain.chain_id == crypto::Uint256(network->chain_id));
    REQUIRE(domain.verifying_contract);
    CHECK_FALSE(domain.verifying_contract->is_zero());
  }

  SECTION("the owner publishes; the order is open for every handle, nothing consumed") {
    const auto order = sign_order(book, owner, grant_order(dataset.address, app, user, 7, 3));
    book.publish(owner, order);
    const auto open = net.open()->grants->open_orders(dataset.address);
    REQUIRE(open.size() == 1);
    CHECK(open[0].order.hash == order.hash);
    CHECK(open[0].order.signature == order.signature);
    CHECK(open[0].order.order.to_json() == order.order.to_json());
    CHECK(open[0].consumed == 0);
    CHECK(open[0].uses == 0);
    CHECK_FALSE(open[0].closed);
    CHECK(open[0].remaining() == 3);
    auto state = book.order(order.hash);
    REQUIRE(state);
    CHECK(state->remaining() == 3);
    CHECK_FALSE(book.order(random_array<32>()));
    CHECK(book.open_orders(crypto::Address(random_array<20>())).empty());
  }

  SECTION("refusals: not the owner, a bad signature or hash, no app, no volume, unknown dataset") {
    CHECK(errno_of([&] { book.publish(stranger, sign_order(book, stranger, grant_order(dataset.address, app))); }) ==
          EACCES);
    auto forged = sign_order(book, owner, grant_order(dataset.address, app));
    forged.order.datasetprice = 1;  // the signature no longer covers the order
    forged.hash = forged.order.hash(book.domain());
    CHECK(errno_of([&] { book.publish(owner, forged); }) == EACCES);
    auto garbage = sign_order(book, owner, grant_order(dataset.address, app));
    garbage.signature.fill(0);
    CHECK(errno_of([&] { book.publish(owner, garbage); }) == EACCES);
    // The owner's order, published by another wallet (iExec's market takes an order only from its signer's login).
    CHECK(errno_of([&] { book.publish(stranger, sign_order(book, owner, grant_order(dataset.address, app))); }) ==
          EACCES);
    auto wrong_hash = sign_order(book, owner, grant_order(dataset.address, app));
    wrong_hash.hash = random_array<32>();
    CHECK(errno_of([&] { book.publish(owner, wrong_hash); }) == EINVAL);
    // Signed in another domain (another chain): not the local order hash.
    auto elsewhere_domain = book.domain();
    elsewhere_domain.chain_id = crypto::Uint256(1);
    auto elsewhere = grant_order(dataset.address, app);
    CHECK(errno_of([&] {
            book.publish(owner, {elsewhere, elsewhere.sign(owner, elsewhere_domain), elsewhere.hash(elsewhere_domain)});
          }) == EINVAL);
    CHECK(errno_of([&] { book.publish(owner, sign_order(book, owner, grant_order(dataset.address, {}))); }) == EINVAL);
    CHECK(errno_of([&] {
            book.publish(owner, sign_order(book, owner, grant_order(dataset.address, app, {}, 0, 0)));
          }) == EINVAL);
    const crypto::Address unknown(random_array<20>());
    CHECK(errno_of([&] { book.publish(owner, sign_order(book, owner, grant_order(unknown, app))); }) == ENOENT);
    CHECK(book.open_orders(dataset.address).empty());
  }

  SECTION("one open order per (dataset, app, requester); the same order twice is EEXIST") {
    const auto any = sign_order(book, owner, grant_order(dataset.address, app));
    book.publish(owner, any);
    CHECK(errno_of([&] { book.publish(owner, any); }) == EEXIST);
    CHECK(errno_of([&] {
            book.publish(owner, sign_order(book, owner, grant_order(dataset.address, app, {}, 5, 9)));
          }) == EEXIST);
    CHECK(errno_of([&] {
            net.open()->grants->publish(owner, sign_order(book, owner, grant_order(dataset.address, app)));
          }) == EEXIST);
    // Another requester or another app is another grant.
    const auto for_user = sign_order(book, owner, grant_order(dataset.address, app, user));
    book.publish(owner, for_user);
    const auto other_app = sign_order(book, owner, grant_order(dataset.address, crypto::Address(random_array<20>())));
    book.publish(owner, other_app);
    CHECK(hashes(book.open_orders(dataset.address)) == std::vector{any.hash, for_user.hash, other_app.hash});
  }

  SECTION("revoke: only the owner; the order is closed (consumed = volume) and leaves the open list") {
    const auto order = sign_order(book, owner, grant_order(dataset.address, app, {}, 0, 10));
    book.publish(owner, order);
    CHECK(errno_of([&] { book.revoke(stranger, order); }) == EACCES);
    CHECK(book.open_orders(dataset.address).size() == 1);
    book.revoke(owner, order);
    CHECK(book.open_orders(dataset.address).empty());
    auto state = net.open()->grants->order(order.hash);
    REQUIRE(state);
    CHECK(state->closed);
    CHECK(state->consumed == 10);
    CHECK(state->uses == 0);
    CHECK(state->remaining() == 0);
    book.revoke(owner, order);  // closing a closed order is not an error
    CHECK(errno_of([&] { book.publish(owner, order); }) == EEXIST);
    // The triple is free again: a new grant replaces the revoked one.
    const auto again = sign_order(book, owner, grant_order(dataset.address, app, {}, 3, 2));
    book.publish(owner, again);
    CHECK(hashes(book.open_orders(dataset.address)) == std::vector{again.hash});
  }

  SECTION("revoking an order never published closes it too") {
    const auto order = sign_order(book, owner, grant_order(dataset.address, app));
    book.revoke(owner, order);
    auto state = book.order(order.hash);
    REQUIRE(state);
    CHECK(state->closed);
    CHECK(state->remaining() == 0);
    CHECK(errno_of([&] { book.publish(owner, order); }) == EEXIST);
  }

  SECTION("a transferred dataset: the previous owner's orders stop, the new owner's work") {
    const auto old_order = sign_order(book, owner, grant_order(dataset.address, app));
    book.publish(owner, old_order);
    network->registry->transfer(owner, dataset.address, stranger.address());
    CHECK(book.open_orders(dataset.address).empty());
    CHECK(book.order(old_order.hash).has_value());
    CHECK(errno_of([&] { book.publish(owner, sign_order(book, owner, grant_order(dataset.address, app, user))); }) ==
          EACCES);
    CHECK(errno_of([&] { book.revoke(owner, old_order); }) == EACCES);
    // The old order does not block the same triple for the new owner.
    const auto new_order = sign_order(book, stranger, grant_order(dataset.address, app));
    book.publish(stranger, new_order);
    CHECK(hashes(book.open_orders(dataset.address)) == std::vector{new_order.hash});
  }

  SECTION("at most 50 open orders per owner; a revoked one frees a place") {
    std::vector<network::SignedOrder> orders;
    for (int i = 0; i < 50; ++i) {
      orders.push_back(sign_order(book, owner, grant_order(dataset.address, crypto::Address(random_array<20>()))));
      book.publish(owner, orders.back());
    }
    const auto extra = sign_order(book, owner, grant_order(dataset.address, app));
    CHECK(errno_of([&] { book.publish(owner, extra); }) == EDQUOT);
    // Another owner is not concerned.
    const auto others =
        network->registry->register_dataset(stranger, make_registration(unique_tag(), R"({"a":"bool"})"));
    book.publish(stranger, sign_order(book, stranger, grant_order(others.address, app)));
    book.revoke(owner, orders.front());
    book.publish(owner, extra);
    CHECK(book.open_orders(dataset.address).size() == 50);
  }
}

}  // namespace pfs::test
