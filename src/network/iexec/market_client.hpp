// iExec's market API (PROTOCOL.md §4, iexec-market-api): the order book of signed orders. Publishing needs a login:
// GET /challenge gives EIP-712 typed data, the signer signs it, and the "authorization" header carries
// <hash>_<signature>_<address> (single use). Reads need none.
//
// Refusals keep their meaning: the market answers 403 for business rules (wrong signer, bad signature → EACCES; the
// 50-open-orders limit → EDQUOT; already published → EEXIST), 400 for malformed orders (EINVAL), 404 for unknown
// orders (ENOENT); 5xx and no answer are EAGAIN.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "network/iexec/context.hpp"
#include "protectedfs/crypto/secp256k1.hpp"

namespace pfs::network::iexec {

// One order of the book as the market gives it.
struct MarketOrder {
  Hash32 order_hash{};
  nlohmann::json order;   // the order's members and "sign"
  std::string status;     // "open", "filled", "canceled", "dead"
  std::string published;  // publicationTimestamp (ISO 8601: sorts as time)
};

class MarketClient {
 public:
  explicit MarketClient(std::shared_ptr<Context> context) : context_(std::move(context)) {}

  // The one-use "authorization" header value for `key` (challenge fetched and signed).
  std::string login(const crypto::PrivateKey& key);
  // POST /<kind>?chainId= with {"order": signed_order}; kind is "datasetorders", "apporders" or "workerpoolorders".
  void publish(const std::string& kind, const std::string& authorization, const nlohmann::json& signed_order);

  // Every order the market lists for these filters ("dataset", "app", …), all pages.
  std::vector<MarketOrder> list(const std::string& kind,
                                const std::vector<std::pair<std::string, std::string>>& filters);
  // The open orders of one asset, whatever their restrictions (the market lists only unrestricted orders unless each
  // restriction is asked for, "any" included).
  std::vector<MarketOrder> dataset_orders(const crypto::Address& dataset);
  // Only the orders restricted to exactly this app and this requester (zero: unrestricted).
  std::vector<MarketOrder> dataset_orders(const crypto::Address& dataset, const crypto::Address& app,
                                          const crypto::Address& requester);
  std::vector<MarketOrder> app_orders(const crypto::Address& app);
  std::vector<MarketOrder> workerpool_orders(const std::optional<crypto::Address>& workerpool);
  // One dataset order by hash (any status), nullopt when the market does not know it.
  std::optional<MarketOrder> dataset_order(const Hash32& order_hash);

  static constexpr std::size_t kPageSize = 100;

 private:
  nlohmann::json get(const std::string& path_and_query, const std::string& what);
  std::string chain_query() const;

  std::shared_ptr<Context> context_;
};

// One entry of a market answer ({"orderHash", "order", "status", "publicationTimestamp"}); EIO when malformed.
MarketOrder market_order_from_json(const nlohmann::json& item);

// The errno of a market refusal, from its status and message (see the header comment).
int errno_for_market(long status, const std::string& message);

}  // namespace pfs::network::iexec
