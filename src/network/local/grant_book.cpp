#include "network/local/grant_book.hpp"

#include <map>

#include "network/local/order_matching.hpp"
#include "network/local/record.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

void check_hash(const SignedOrder& order) {
  if (order.order.hash(local_order_domain()) != order.hash)
    throw Error(EINVAL, "order hash " + to_hex0x(order.hash) + " is not the hash of the order in the local domain");
}

DatasetRecord registered(const Directory& dir, const crypto::Address& dataset) {
  auto stored = load_record(dir.registry(), dataset);
  if (!stored) throw Error(ENOENT, "dataset " + dataset.to_string() + " is not registered");
  return stored->record;
}

std::string describe(const crypto::DatasetOrder& order) {
  return "dataset " + order.dataset.to_string() + ", app " + order.apprestrict.to_string() + ", requester " +
         (order.requesterrestrict.is_zero() ? std::string("any") : order.requesterrestrict.to_string());
}

}  // namespace

crypto::Eip712Domain LocalGrantBook::domain() { return local_order_domain(); }

void LocalGrantBook::publish(const crypto::PrivateKey& owner, const SignedOrder& signed_order) {
  const auto& order = signed_order.order;
  const crypto::Address signer = check_signed_order(signed_order, local_order_domain(), owner.address());

  Directory::WriteGuard guard(*dir_);
  const DatasetRecord dataset = registered(*dir_, order.dataset);
  if (signer != dataset.owner)
    throw Error(EACCES, "order " + to_hex0x(signed_order.hash) + " is signed by " + signer.to_string() +
                            ", not by the owner of dataset " + dataset.address.to_string());
  // Under the write lock the view holds every order ever written: the checks below cannot race another writer.
  std::map<crypto::Address, crypto::Address> owners{{dataset.address, dataset.owner}};
  auto owner_of = [&](const crypto::Address& d) {
    auto it = owners.find(d);
    if (it == owners.end()) {
      auto stored = load_record(dir_->registry(), d);
      it = owners.emplace(d, stored ? stored->record.owner : crypto::Address::zero()).first;
    }
    return it->second;
  };
  std::size_t open_of_owner = 0;
  for (const auto& known : ledger_->orders()) {
    const auto& other = known.signed_order.order;
    if (known.signed_order.hash == signed_order.hash)
      throw Error(EEXIST,
                  "order " + to_hex0x(signed_order.hash) + " is already " + (known.closed ? "closed" : "published"));
    if (!is_open(known, owner_of(other.dataset))) continue;
    if (*known.signer == dataset.owner) ++open_of_owner;
    if (other.dataset == order.dataset && other.apprestrict == order.apprestrict &&
        other.requesterrestrict == order.requesterrestrict)
      throw Error(EEXIST, "an open grant already exists for " + describe(order) + " (order " +
                              to_hex0x(known.signed_order.hash) + "): revoke it first");
  }
  if (open_of_owner >= kMaxOpenOrdersPerOwner)
    throw Error(EDQUOT, dataset.owner.to_string() + " already has " + std::to_string(open_of_owner) +
                            " open grants, the most a wallet may have");
  ledger_->write_published(signed_order);
}

std::vector<OrderState> LocalGrantBook::open_orders(const crypto::Address& dataset) {
  auto stored = load_record(dir_->registry(), dataset);
  if (!stored) return {};
  std::vector<OrderState> out;
  for (const auto& order : ledger_->orders())
    if (order.signed_order.order.dataset == dataset && is_open(order, stored->record.owner))
      out.push_back(order.state());
  return out;
}

std::vector<OrderState> LocalGrantBook::orders(const crypto::Address& dataset) {
  std::vector<OrderState> out;
  for (const auto& order : ledger_->orders())
    if (order.signed_order.order.dataset == dataset) out.push_back(order.state());
  return out;
}

std::optional<OrderState> LocalGrantBook::order(const Hash32& order_hash) {
  auto order = ledger_->order(order_hash);
  if (!order) return std::nullopt;
  return order->state();
}

void LocalGrantBook::revoke(const crypto::PrivateKey& owner, const SignedOrder& signed_order) {
  check_hash(signed_order);
  Directory::WriteGuard guard(*dir_);
  const DatasetRecord dataset = registered(*dir_, signed_order.order.dataset);
  if (dataset.owner != owner.address())
    throw Error(EACCES, owner.address().to_string() + " does not own dataset " + dataset.address.to_string() +
                            ": only its owner can revoke its grants");
  // Keep the published copy (its signature is the owner's); an order never published is recorded as given.
  auto known = ledger_->order(signed_order.hash);
  ledger_->write_closed(known ? known->signed_order : signed_order, owner.address());
}

}  // namespace pfs::network::local
