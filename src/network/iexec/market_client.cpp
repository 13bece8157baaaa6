#include "network/iexec/market_client.hpp"

#include <algorithm>

#include "protectedfs/crypto/eip712.hpp"

namespace pfs::network::iexec {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string error_message(const HttpResponse& response) {
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) return body["error"].get<std::string>();
  return body_excerpt(response.body);
}

}  // namespace

MarketOrder market_order_from_json(const nlohmann::json& item) {
  MarketOrder out;
  try {
    out.order_hash = from_hex_fixed<32>(item.at("orderHash").get<std::string>());
    out.order = item.at("order");
    out.status = item.value("status", "open");
    out.published = item.value("publicationTimestamp", "");
  } catch (const nlohmann::json::exception& e) {
    throw Error(EIO, std::string("market: malformed order entry: ") + e.what());
  } catch (const Error& e) {
    throw Error(EIO, std::string("market: malformed order entry: ") + e.what());
  }
  if (!out.order.is_object()) throw Error(EIO, "market: an order entry without an order");
  return out;
}

int errno_for_market(long status, const std::string& message) {
  const int code = errno_for_status(status);
  if (code == 0 || code == EAGAIN) return code;
  const std::string text = lower(message);
  if (text.find("maximun") != std::string::npos || text.find("maximum") != std::string::npos ||
      text.find("too many") != std::string::npos)
    return EDQUOT;
  if (text.find("already published") != std::string::npos || status == 409) return EEXIST;
  if (text.find("already consumed") != std::string::npos) return ENOENT;
  return code;
}

std::string MarketClient::chain_query() const { return "chainId=" + std::to_string(context_->profile().chain_id); }

nlohmann::json MarketClient::get(const std::string& path_and_query, const std::string& what) {
  HttpRequest request;
  request.url = join_url(context_->profile().market, path_and_query);
  request.headers = {"Accept: application/json"};
  const HttpResponse response = context_->http().send(request);
  if (const int code = errno_for_market(response.status, error_message(response)); code != 0)
    throw Error(code,
                what + ": market answered HTTP " + std::to_string(response.status) + ": " + error_message(response));
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) throw Error(EIO, what + ": the market's answer is not a JSON object");
  return body;
}

std::string MarketClient::login(const crypto::PrivateKey& key) {
  const crypto::Address address = key.address();
  const auto typed = get("/challenge?" + chain_query() + "&address=" + address.to_string(), "market login");
  const auto request = crypto::MarketLoginRequest::from_json(typed);
  if (request.domain.chain_id != crypto::Uint256(context_->profile().chain_id))
    throw Error(EIO, "market login: the challenge is for chain " + request.domain.chain_id.to_decimal());
  return crypto::market_authorization(key, request.domain, request.message);
}

void MarketClient::publish(const std::string& kind, const std::string& authorization,
                           const nlohmann::json& signed_order) {
  HttpRequest request;
  request.method = "POST";
  request.url = join_url(context_->profile().market, "/" + kind + "?" + chain_query());
  request.headers = {"Content-Type: application/json", "Accept: application/json", "authorization: " + authorization};
  request.body = nlohmann::json{{"order", signed_order}}.dump();
  const HttpResponse response = context_->http().send(request);
  const std::string message = response.status >= 200 && response.status < 300 ? "" : error_message(response);
  if (const int code = errno_for_market(response.status, message); code != 0)
    throw Error(code, "market refused the order: HTTP " + std::to_string(response.status) + ": " + message);
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("ok") && body["ok"] == false)
    throw Error(EIO, "market refused the order: " + error_message(response));
}

std::vector<MarketOrder> MarketClient::list(const std::string& kind,
                                            const std::vector<std::pair<std::string, std::string>>& filters) {
  std::string query = "/" + kind + "?" + chain_query();
  for (const auto& [key, value] : filters) query += "&" + key + "=" + url_encode(value);
  std::vector<MarketOrder> out;
  for (std::size_t page = 0;; ++page) {
    const auto body =
        get(query + "&pageSize=" + std::to_string(kPageSize) + "&pageIndex=" + std::to_string(page), "market " + kind);
    const auto orders = body.find("orders");
    if (orders == body.end() || !orders->is_array()) throw Error(EIO, "market " + kind + ": answer without orders");
    for (const auto& item : *orders) out.push_back(market_order_from_json(item));
    const uint64_t count = body.value("count", static_cast<uint64_t>(out.size()));
    if (orders->empty() || out.size() >= count || orders->size() < kPageSize) break;
    if (page >= 1000) throw Error(EIO, "market " + kind + ": more than 1000 pages");
  }
  return out;
}

std::vector<MarketOrder> MarketClient::dataset_orders(const crypto::Address& dataset) {
  return list("datasetorders",
              {{"dataset", dataset.to_string()}, {"app", "any"}, {"workerpool", "any"}, {"requester", "any"}});
}

std::vector<MarketOrder> MarketClient::dataset_orders(const crypto::Address& dataset, const crypto::Address& app,
                                                      const crypto::Address& requester) {
  std::vector<std::pair<std::string, std::string>> filters = {
      {"dataset", dataset.to_string()}, {"app", app.to_string()}, {"isAppStrict", "true"}, {"workerpool", "any"}};
  if (!requester.is_zero()) {  // no requester: the market lists only unrestricted orders
    filters.emplace_back("requester", requester.to_string());
    filters.emplace_back("isRequesterStrict", "true");
  }
  std::vector<MarketOrder> out;
  for (auto& order : list("datasetorders", filters)) {
    // Checked again here: a market that ignores the strict flags must not make another grant look like this one.
    try {
      if (crypto::Address::parse(order.order.at("apprestrict").get<std::string>()) == app &&
          crypto::Address::parse(order.order.at("requesterrestrict").get<std::string>()) == requester)
        out.push_back(std::move(order));
    } catch (const std::exception&) {
      // malformed entries are not this grant
    }
  }
  return out;
}

std::vector<MarketOrder> MarketClient::app_orders(const crypto::Address& app) {
  return list("apporders", {{"app", app.to_string()}, {"dataset", "any"}, {"workerpool", "any"}, {"requester", "any"}});
}

std::vector<MarketOrder> MarketClient::workerpool_orders(const std::optional<crypto::Address>& workerpool) {
  std::vector<std::pair<std::string, std::string>> filters = {{"app", "any"}, {"dataset", "any"}, {"requester", "any"}};
  if (workerpool) filters.emplace_back("workerpool", workerpool->to_string());
  return list("workerpoolorders", filters);
}

std::optional<MarketOrder> MarketClient::dataset_order(const Hash32& order_hash) {
  try {
    auto body = get("/datasetorders/" + to_hex0x(order_hash) + "?" + chain_query(), "market dataset order");
    if (body.contains("data") && body["data"].is_object()) body = body["data"];
    return market_order_from_json(body);
  } catch (const Error& e) {
    if (e.code() == ENOENT) return std::nullopt;
    throw;
  }
}

}  // namespace pfs::network::iexec
