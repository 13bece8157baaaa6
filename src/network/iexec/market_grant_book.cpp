#include "network/iexec/market_grant_book.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "network/iexec/contracts.hpp"
#include "protectedfs/crypto/abi.hpp"

namespace pfs::network::iexec {
namespace {

namespace abi = crypto::abi;

uint64_t to_u64(const crypto::Uint256& value) { return value.fits_uint64() ? value.to_uint64() : UINT64_MAX; }

}  // namespace

SignedOrder signed_order_from_market(const MarketOrder& entry) {
  SignedOrder out;
  try {
    out.order = crypto::DatasetOrder::from_json(entry.order);
    const Bytes sign = from_hex(entry.order.at("sign").get<std::string>());
    if (sign.size() != out.signature.size()) throw Error(EINVAL, "sign is not 65 bytes");
    std::copy(sign.begin(), sign.end(), out.signature.begin());
  } catch (const nlohmann::json::exception& e) {
    throw Error(EIO, std::string("market: malformed dataset order: ") + e.what());
  } catch (const Error& e) {
    throw Error(EIO, std::string("market: malformed dataset order: ") + e.what());
  }
  out.hash = entry.order_hash;
  return out;
}

crypto::Address MarketGrantBook::dataset_owner(const crypto::Address& dataset) {
  const auto answer = context_->chain().call_batch({{context_->dataset_registry(), contracts::owner_of(dataset)}});
  if (answer[0].error) {
    if (!answer[0].error->is_revert()) throw *answer[0].error;
    throw Error(ENOENT, "no dataset " + dataset.to_string());
  }
  return abi::decode_address(answer[0].data);
}

uint64_t MarketGrantBook::consumed(const Hash32& order_hash) {
  return to_u64(
      abi::decode_uint256(context_->chain().call(context_->profile().hub, contracts::view_consumed(order_hash))));
}

std::optional<LogEntry> MarketGrantBook::closure(const Hash32& order_hash) {
  LogFilter filter;
  filter.addresses = {context_->profile().hub};
  filter.topics = {{contracts::closed_dataset_order_topic()}};
  for (auto& log : context_->chain().logs_since_start(filter))
    if (log.data.size() == 32 && std::equal(log.data.begin(), log.data.end(), order_hash.begin())) return log;
  return std::nullopt;
}

uint64_t MarketGrantBook::uses(const Hash32& order_hash) {
  LogFilter filter;
  filter.addresses = {context_->profile().hub};
  filter.topics = {{contracts::orders_matched_topic()}};
  uint64_t total = 0;
  for (const auto& log : context_->chain().logs_since_start(filter)) {
    try {
      const auto matched = contracts::decode_orders_matched(log.data);
      if (matched.dataset_order == order_hash) total += matched.volume;
    } catch (const Error&) {
      // not an OrdersMatched as PoCo emits it
    }
  }
  return total;
}

std::vector<OrderState> MarketGrantBook::states(const std::vector<MarketOrder>& entries) {
  std::vector<CallRequest> calls;
  for (const auto& e : entries) calls.push_back({context_->profile().hub, contracts::view_consumed(e.order_hash)});
  const auto answers = context_->chain().call_batch(calls);
  std::vector<std::pair<const MarketOrder*, OrderState>> items;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    OrderState state;
    state.order = signed_order_from_market(entries[i]);
    state.consumed = to_u64(abi::decode_uint256(answers[i].value()));
    // Closed or not is the hub's word (order() asks it); a market's "canceled" may only mean unpublished.
    state.uses = state.consumed;  // right unless closed: only matches consume an order
    items.emplace_back(&entries[i], std::move(state));
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first->published < b.first->published; });
  std::vector<OrderState> out;
  for (auto& item : items) out.push_back(std::move(item.second));
  return out;
}

void MarketGrantBook::publish(const crypto::PrivateKey& owner_key, const SignedOrder& signed_order) {
  const crypto::DatasetOrder& o = signed_order.order;
  const crypto::Address signer = check_signed_order(signed_order, context_->domain(), owner_key.address());
  const crypto::Address owner = dataset_owner(o.dataset);
  if (signer != owner)
    throw Error(EACCES, "the order is signed by " + signer.to_string() + ", dataset " + o.dataset.to_string() +
                            " is owned by " + owner.to_string());
  if (consumed(signed_order.hash) > 0 || market_->dataset_order(signed_order.hash))
    throw Error(EEXIST, "order " + to_hex0x(signed_order.hash) + " is already known (published, used or closed)");
  const auto same_grant = still_open(o.dataset, market_->dataset_orders(o.dataset, o.apprestrict, o.requesterrestrict));
  if (!same_grant.empty())
    throw Error(EEXIST,
                "an open grant for this app and requester already exists: " + to_hex0x(same_grant[0].order.hash));

  nlohmann::json body = o.to_json();
  body["sign"] = to_hex0x(signed_order.signature);
  market_->publish("datasetorders", market_->login(owner_key), body);
}

std::vector<OrderState> MarketGrantBook::still_open(const crypto::Address& dataset, std::vector<MarketOrder> entries) {
  std::erase_if(entries, [](const MarketOrder& e) { return e.status != "open"; });
  if (entries.empty()) return {};
  crypto::Address owner;
  try {
    owner = dataset_owner(dataset);
  } catch (const Error& e) {
    if (e.code() == ENOENT) return {};
    throw;
  }
  std::vector<OrderState> out;
  for (auto& state : states(entries)) {
    if (state.order.order.dataset != dataset || state.remaining() == 0) continue;
    // After a transfer the previous owner's orders no longer match (PoCo checks the signer against the owner).
    try {
      if (crypto::recover_address(state.order.hash, state.order.signature) != owner) continue;
    } catch (const Error&) {
      continue;
    }
    out.push_back(std::move(state));
  }
  return out;
}

std::vector<OrderState> MarketGrantBook::open_orders(const crypto::Address& dataset) {
  return still_open(dataset, market_->dataset_orders(dataset));
}

std::optional<OrderState> MarketGrantBook::order(const Hash32& order_hash) {
  OrderState state;
  if (auto entry = market_->dataset_order(order_hash)) {
    state = states({*entry}).front();
    // Only a used-up order may be closed (a close sets consumed = volume): then the hub's log says whether it was.
    if (state.order.order.volume <= crypto::Uint256(state.consumed)) state.closed = closure(order_hash).has_value();
  } else {
    // Never published, but maybe closed on chain: the closing transaction carries the whole order.
    const auto closed = closure(order_hash);
    if (!closed) return std::nullopt;
    const auto tx = context_->chain().rpc().call("eth_getTransactionByHash",
                                                 nlohmann::json::array({to_hex0x(closed->transaction_hash)}));
    try {
      state.order = contracts::decode_manage_dataset_order_close(from_hex(tx.at("input").get<std::string>()));
    } catch (const std::exception&) {
      return std::nullopt;  // closed through another contract: the order itself cannot be read back
    }
    state.order.hash = order_hash;
    state.consumed = consumed(order_hash);
    state.closed = true;
  }
  if (state.closed) state.uses = uses(order_hash);
  return state;
}

void MarketGrantBook::revoke(const crypto::PrivateKey& owner, const SignedOrder& order) {
  if (order.hash != order.order.hash(context_->domain()))
    throw Error(EINVAL, "the order hash is not the order's on this network");
  const crypto::Address current = dataset_owner(order.order.dataset);
  if (current != owner.address())
    throw Error(EACCES, owner.address().to_string() + " does not own dataset " + order.order.dataset.to_string());
  try {
    context_->sender().send(owner, context_->profile().hub, contracts::manage_dataset_order_close(order));
  } catch (const RpcError& e) {
    if (!e.is_revert()) throw;
    throw Error(EACCES, "the hub refused to close the order: " + e.reason());
  }
  // The market learns closures from chain events; reading the order back lets one that refreshes on read (and the
  // owner's 50-open-orders count with it) see this one now. Only a courtesy: the chain already refuses the order.
  try {
    market_->dataset_order(order.hash);
  } catch (const Error&) {
  }
}

}  // namespace pfs::network::iexec
