#include "network/local/order_matching.hpp"

#include <map>
#include <tuple>

#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

// Why an order of the dataset does not match, in the order PoCo checks; nullopt when it matches.
std::optional<std::string> mismatch(const Ledger::Order& order, const crypto::Address& owner, const MatchRequest& r) {
  const auto& o = order.signed_order.order;
  if (!order.signer || *order.signer != owner) return "signed by a previous owner";
  if (o.apprestrict != r.app) return "for another app";
  if (!o.requesterrestrict.is_zero() && o.requesterrestrict != r.requester) return "for another requester";
  if (!o.workerpoolrestrict.is_zero()) return "restricted to a workerpool";
  if (order.closed) return "revoked";
  if (order.used_up()) return "used up";
  if (r.max_price && price_of(order) > *r.max_price) return "over the maximum price";
  return std::nullopt;
}

}  // namespace

bool is_open(const Ledger::Order& order, const crypto::Address& current_owner) {
  return !order.closed && !order.used_up() && order.signer && *order.signer == current_owner;
}

uint64_t price_of(const Ledger::Order& order) {
  const auto& price = order.signed_order.order.datasetprice;
  return price.fits_uint64() ? price.to_uint64() : UINT64_MAX;
}

Ledger::Order select_order(const std::vector<Ledger::Order>& orders, const crypto::Address& current_owner,
                           const MatchRequest& request) {
  const Ledger::Order* best = nullptr;
  auto rank = [&](const Ledger::Order& o) {
    // Lower is better: price, then a grant made for this requester, then age.
    return std::make_tuple(price_of(o), o.signed_order.order.requesterrestrict.is_zero(), o.sequence);
  };
  std::map<std::string, int> reasons;
  for (const auto& order : orders) {
    if (order.signed_order.order.dataset != request.dataset) continue;
    if (auto why = mismatch(order, current_owner, request)) {
      ++reasons[*why];
      continue;
    }
    if (!best || rank(order) < rank(*best)) best = &order;
  }
  if (best) return *best;

  std::string message = "no open grant of dataset " + request.dataset.to_string() + " lets " +
                        request.requester.to_string() + " run app " + request.app.to_string();
  if (reasons.empty()) {
    message += ": the dataset has no grants";
  } else {
    std::string sep = ": its grants are ";
    for (const auto& [why, count] : reasons) {
      message += sep + std::to_string(count) + " " + why;
      sep = ", ";
    }
  }
  throw Error(EACCES, message);
}

}  // namespace pfs::network::local
