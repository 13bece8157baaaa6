#include <catch2/catch.hpp>

#include "protectedfs/remote/dataset_info.hpp"
#include "vectors.hpp"

using namespace pfs;

namespace {

network::SignedOrder make_order(const crypto::PrivateKey& owner, const crypto::Address& requester, uint64_t volume) {
  crypto::DatasetOrder o;
  o.dataset = crypto::Address(random_array<20>());
  o.datasetprice = 7;
  o.volume = volume;
  o.tag[31] = 0x09;
  o.apprestrict = crypto::Address(random_array<20>());
  o.requesterrestrict = requester;
  o.salt = random_array<32>();
  const auto domain = crypto::poco_domain(31337, crypto::Address(random_array<20>()));
  return {o, o.sign(owner, domain), o.hash(domain)};
}

}  // namespace

TEST_CASE("orders as the tree records them round-trip, and open orders become grants", "[remote]") {
  const auto owner = crypto::PrivateKey::generate();
  const auto order = make_order(owner, crypto::Address::zero(), 3);
  const core::IssuedOrder issued = remote::issued_order_of(order, core::IssuedOrder::State::Open);
  CHECK(issued.hash == to_hex0x(order.hash));
  CHECK(issued.dataset == order.order.dataset.to_string());
  CHECK(issued.terms == core::GrantTerms{7, 3});
  const network::SignedOrder back = remote::signed_order_of(issued);
  CHECK(back.hash == order.hash);
  CHECK(back.signature == order.signature);
  CHECK(back.order.struct_hash() == order.order.struct_hash());

  // Two open orders for the same (user, app) would be one grant: the first carries it.
  network::OrderState first{order, 1, false, 1};
  network::OrderState twin = first;
  twin.order = make_order(owner, crypto::Address::zero(), 5);
  twin.order.order.apprestrict = order.order.apprestrict;
  const auto other = make_order(owner, crypto::Address(random_array<20>()), 2);
  core::DataInfo info;
  remote::import_grants(info, {first, twin, {other, 0, false, 0}});
  REQUIRE(info.grants.size() == 2);
  CHECK(info.grants[0].order == issued.hash);
  CHECK(info.grants[0].terms == core::GrantTerms{7, 3});
  CHECK(info.orders[0].uses == 1);
  CHECK(info.orders[0].remaining == 2);
  CHECK(info.grants[1].subject.user == other.order.requesterrestrict);
}
