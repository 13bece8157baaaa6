// PoCo's matching rules for a dataset order, as the local runner applies them (IexecPoco1.matchOrders): the
// signature must be the dataset's owner's *now*, the app and requester restrictions must admit the run, the
// workerpool restriction must be empty (the local runner is no workerpool), the order must have volume left and
// not be closed, and its price must be acceptable.
#pragma once
#include <optional>
#include <vector>

#include "network/local/ledger.hpp"

namespace pfs::network::local {

// iExec's market keeps at most this many open orders per wallet.
inline constexpr std::size_t kMaxOpenOrdersPerOwner = 50;

// Open: not closed, volume left, and signed by the dataset's current owner.
bool is_open(const Ledger::Order& order, const crypto::Address& current_owner);

// datasetprice in nRLC; UINT64_MAX for a price beyond 64 bits (no balance can pay it).
uint64_t price_of(const Ledger::Order& order);

struct MatchRequest {
  crypto::Address dataset;
  crypto::Address app;
  crypto::Address requester;
  std::optional<uint64_t> max_price;  // nRLC per access
};

// The order a run consumes among `orders` (any state, any dataset) for a dataset owned by `current_owner`: the
// cheapest that matches, then one restricted to this requester before a public one, then the oldest. EACCES when
// none matches, saying why the dataset's orders do not (revoked, used up, another app, another requester, signed by
// a previous owner, over the max price).
Ledger::Order select_order(const std::vector<Ledger::Order>& orders, const crypto::Address& current_owner,
                           const MatchRequest& request);

}  // namespace pfs::network::local
