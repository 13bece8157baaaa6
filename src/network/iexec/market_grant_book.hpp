// Grants on iExec (PROTOCOL.md §4): signed DatasetOrders published to the market API, their consumption read on chain
// (hub.viewConsumed), revoked on chain (hub.manageDatasetOrder CLOSE). The market is only a book: what an order allows
// is decided by the hub, so remaining volume and closure always come from the chain.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "network/iexec/context.hpp"
#include "network/iexec/market_client.hpp"
#include "protectedfs/network/iexec_network.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::iexec {

class MarketGrantBook final : public GrantBook {
 public:
  MarketGrantBook(std::shared_ptr<Context> context, std::shared_ptr<MarketClient> market)
      : context_(std::move(context)), market_(std::move(market)) {}

  crypto::Eip712Domain domain() override { return context_->domain(); }
  void publish(const crypto::PrivateKey& owner, const SignedOrder& order) override;
  std::vector<OrderState> open_orders(const crypto::Address& dataset) override;
  std::vector<OrderState> orders(const crypto::Address& dataset) override { return open_orders(dataset); }
  std::optional<OrderState> order(const Hash32& order_hash) override;
  void revoke(const crypto::PrivateKey& owner, const SignedOrder& order) override;

  // The market's entries as OrderStates (consumption from the chain), oldest first.
  std::vector<OrderState> states(const std::vector<MarketOrder>& entries);
  // The open ones among the market's entries for a dataset: listed as open, remaining > 0 on chain, and signed by
  // the dataset's current owner (what PoCo will still match).
  std::vector<OrderState> still_open(const crypto::Address& dataset, std::vector<MarketOrder> entries);

 private:
  crypto::Address dataset_owner(const crypto::Address& dataset);  // ENOENT for an unknown dataset
  uint64_t consumed(const Hash32& order_hash);
  // The hub's ClosedDatasetOrder log of this order, if it was closed (the event's one member is not indexed).
  std::optional<LogEntry> closure(const Hash32& order_hash);
  // Accesses really used by runs: the volumes of the OrdersMatched events that name the order.
  uint64_t uses(const Hash32& order_hash);

  std::shared_ptr<Context> context_;
  std::shared_ptr<MarketClient> market_;
};

// A market entry as a SignedOrder (EIO when the market's data is malformed).
SignedOrder signed_order_from_market(const MarketOrder& entry);

}  // namespace pfs::network::iexec
