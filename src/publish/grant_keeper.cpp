#include "protectedfs/publish/grant_keeper.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "protectedfs/remote/dataset_info.hpp"

namespace pfs::publish {
namespace {

using core::IssuedOrder;
using State = IssuedOrder::State;

bool is_live(const IssuedOrder& o) { return o.state == State::Issuing || o.state == State::Open; }

}  // namespace

void publish_order(network::GrantBook& book, const crypto::PrivateKey& wallet, const network::SignedOrder& order) {
  try {
    book.publish(wallet, order);
  } catch (const Error& e) {
    if (e.code() != EEXIST) throw;
    const auto known = book.order(order.hash);
    if (known && !known->closed) return;  // published by an earlier try whose answer was lost
    if (known) throw OrderClosed(EEXIST, "order " + to_hex0x(order.hash) + " was closed: it cannot carry a grant");
    throw OrderConflict(EEXIST, std::string("the grant book refused order ") + to_hex0x(order.hash) + ": " + e.what());
  }
}

namespace {

// Whether a grant of `info` carries this order (for the newest version).
bool carried(const core::DataInfo& info, const IssuedOrder& o) {
  return o.dataset == info.address &&
         std::any_of(info.grants.begin(), info.grants.end(), [&](const core::Grant& g) { return g.order == o.hash; });
}

}  // namespace

void GrantKeeper::reconcile(uint64_t data) {
  const core::DataInfo info = fs_.data_info(data);
  if (!network_.grants && (!info.grants.empty() || !info.orders.empty()))
    throw Error(ENOTSUP, "the " + network_.name + " network keeps no grants");
  if (!info.transfer_to.empty()) return transfer(data, info);
  if (info.address.empty()) return;  // grants wait for the first version

  // Orders a crash or a failure left "issuing": looked up by hash first. One the book holds is open (or closed);
  // one it does not hold and no grant carries any more was never published: nothing to close.
  for (const IssuedOrder& o : info.orders) {
    if (o.state != State::Issuing) continue;
    const auto known = network_.grants->order(from_hex_fixed<32>(o.hash));
    if (known) fs_.set_order_state(data, o.hash, known->closed ? State::Closed : State::Open);
    else if (!carried(info, o)) fs_.set_order_state(data, o.hash, State::Void);
  }
  // A replaced or removed grant's order on the newest version is closed before a new one is issued.
  close_superseded(data, info.address);
  // A grant without an open order for the newest version gets one (its "issuing" one sent again, or a new one).
  const core::DataInfo now = fs_.data_info(data);
  for (const core::Grant& g : now.grants) {
    const IssuedOrder* current = core::current_order(now, g);
    if (current && current->dataset == now.address && current->state == State::Open) continue;
    if (current && current->dataset == now.address && current->state == State::Issuing) {
      publish_order(*network_.grants, wallet_, remote::signed_order_of(*current));
      fs_.set_order_state(data, current->hash, State::Open);
      continue;
    }
    issue(data, now, g);
  }
  // Then the older versions' orders (their grants now carried by the newest version's).
  close_superseded(data, "");
}

void GrantKeeper::close_superseded(uint64_t data, const std::string& dataset) {
  const core::DataInfo info = fs_.data_info(data);
  for (const IssuedOrder& o : info.orders)
    if (is_live(o) && !carried(info, o) && (dataset.empty() || o.dataset == dataset)) close(data, o);
}

void GrantKeeper::issue(uint64_t data, const core::DataInfo& info, const core::Grant& grant) {
  crypto::DatasetOrder order;
  order.dataset = crypto::Address::parse(info.address);
  order.datasetprice = grant.terms.price;
  order.volume = grant.terms.count;
  order.tag = network_.order_tag;
  order.apprestrict = grant.subject.app;
  order.workerpoolrestrict = crypto::Address::zero();
  order.requesterrestrict = grant.subject.user;
  order.salt = random_array<32>();
  const crypto::Eip712Domain domain = network_.grants->domain();
  network::SignedOrder signed_order{order, order.sign(wallet_, domain), order.hash(domain)};
  const IssuedOrder issued = remote::issued_order_of(signed_order, State::Issuing);
  // Recorded before it leaves: a retry looks this same order up and sends it again, never a second one.
  fs_.add_order(data, issued);
  publish_order(*network_.grants, wallet_, signed_order);
  fs_.set_order_state(data, issued.hash, State::Open);
  spdlog::info("granted {} to user {} with app {} (order {})", info.address,
               grant.subject.user.is_zero() ? "any" : grant.subject.user.to_string(), grant.subject.app.to_string(),
               issued.hash);
}

void GrantKeeper::close(uint64_t data, const IssuedOrder& order) {
  const auto signed_order = remote::signed_order_of(order);
  // The accesses used so far count in usage; closing makes PoCo's `consumed` the whole volume.
  uint64_t uses = order.uses;
  if (auto state = network_.grants->order(signed_order.hash)) uses = state->uses;
  network_.grants->revoke(wallet_, signed_order);
  fs_.set_order_usage(data, order.hash, uses, 0, /*closed=*/true);
  spdlog::info("revoked order {} on {}", order.hash, order.dataset);
}

void GrantKeeper::revoke_all(const std::vector<IssuedOrder>& orders) {
  if (!network_.grants) throw Error(ENOTSUP, "the " + network_.name + " network keeps no grants");
  for (const IssuedOrder& o : orders) {
    if (!is_live(o)) continue;
    network_.grants->revoke(wallet_, remote::signed_order_of(o));
    spdlog::info("revoked order {} on {}", o.hash, o.dataset);
  }
}

void GrantKeeper::transfer(uint64_t data, const core::DataInfo& info) {
  const crypto::Address to = crypto::Address::parse(info.transfer_to);
  std::vector<std::string> versions{info.address};
  for (const core::VersionRef& v : info.versions) versions.push_back(v.address);
  for (const std::string& version : versions) {
    const crypto::Address dataset = crypto::Address::parse(version);
    const auto record = network_.registry->find(dataset);
    if (record && record->owner == to) continue;  // done by an earlier try
    network_.registry->transfer(wallet_, dataset, to);
  }
  // The previous owner's orders can no longer match (PoCo checks the signer against the current owner).
  fs_.void_live_orders(data);
  spdlog::info("gave {} ({} version(s)) to {}", info.address, versions.size(), info.transfer_to);
  fs_.forget(data);
}

void GrantKeeper::refresh_usage(uint64_t data) {
  const core::DataInfo info = fs_.data_info(data);
  for (const IssuedOrder& o : info.orders) {
    if (o.state != State::Open) continue;
    const auto state = network_.grants->order(from_hex_fixed<32>(o.hash));
    if (!state) continue;
    // Closed elsewhere (another machine of the owner's): shown closed.
    fs_.set_order_usage(data, o.hash, state->uses, state->remaining(), state->closed);
  }
}

}  // namespace pfs::publish
