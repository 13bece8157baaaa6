// The market API's order JSON: a book entry, the dataset order it carries (as a SignedOrder), the app and workerpool
// orders `run` matches, the EIP-712 domain and the login challenge.
#include <nlohmann/json.hpp>

#include "fuzz.hpp"
#include "network/iexec/market_client.hpp"
#include "network/iexec/market_grant_book.hpp"
#include "network/iexec/orders.hpp"
#include "protectedfs/crypto/eip712.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace pfs;
  using namespace pfs::network::iexec;
  const nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  fuzz::refusal_allowed([&] {
    const MarketOrder entry = market_order_from_json(json);
    fuzz::refusal_allowed([&] { (void)signed_order_from_market(entry); });
    fuzz::refusal_allowed([&] { (void)AppOrder::from_json(entry.order).to_json(); });
    fuzz::refusal_allowed([&] { (void)WorkerpoolOrder::from_json(entry.order).to_json(); });
  });
  fuzz::refusal_allowed([&] { (void)crypto::DatasetOrder::from_json(json); });
  fuzz::refusal_allowed([&] { (void)AppOrder::from_json(json); });
  fuzz::refusal_allowed([&] { (void)WorkerpoolOrder::from_json(json); });
  fuzz::refusal_allowed([&] { (void)crypto::Eip712Domain::from_json(json); });
  fuzz::refusal_allowed([&] { (void)crypto::MarketLoginRequest::from_json(json); });
  return 0;
}
