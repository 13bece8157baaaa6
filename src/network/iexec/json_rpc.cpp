#include "network/iexec/json_rpc.hpp"

#include <algorithm>
#include <cctype>

#include "protectedfs/crypto/abi.hpp"

namespace pfs::network::iexec {
namespace {

namespace abi = crypto::abi;

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Revert data as nodes give it: "0x…" in error.data, or nested as error.data.data (some clients wrap it).
std::optional<Bytes> revert_data_of(const nlohmann::json& error) {
  auto it = error.find("data");
  if (it == error.end()) return std::nullopt;
  const nlohmann::json* data = &*it;
  if (data->is_object() && data->contains("data")) data = &(*data)["data"];
  if (!data->is_string()) return std::nullopt;
  const std::string& text = data->get_ref<const std::string&>();
  if (!text.starts_with("0x")) return std::nullopt;
  try {
    return from_hex(text);
  } catch (const Error&) {
    return std::nullopt;
  }
}

int errno_for_rpc(int64_t code, const std::string& message, bool revert) {
  const std::string text = lowercase(message);
  if (revert) return EIO;
  if (contains(text, "insufficient funds")) return EDQUOT;
  if (code == -32005 || contains(text, "block range") || contains(text, "range is too large") ||
      contains(text, "query returned more than") || contains(text, "limit exceeded") ||
      contains(text, "too many results") || contains(text, "response size") || contains(text, "max range"))
    return ERANGE;
  if (contains(text, "nonce too low") || contains(text, "already known") || contains(text, "underpriced") ||
      contains(text, "nonce too high"))
    return EAGAIN;
  if (code == -32601) return ENOTSUP;
  if (code == -32602) return EINVAL;
  return EIO;
}

}  // namespace

RpcError::RpcError(int errno_code, const std::string& what, int64_t rpc_code, std::string rpc_message,
                   std::optional<Bytes> revert_data)
    : Error(errno_code, what),
      rpc_code_(rpc_code),
      rpc_message_(std::move(rpc_message)),
      revert_data_(std::move(revert_data)) {
  revert_ = rpc_code_ == 3 || contains(lowercase(rpc_message_), "revert");
}

std::string RpcError::reason() const {
  if (revert_data_ && !revert_data_->empty()) return decode_revert_reason(*revert_data_);
  return rpc_message_;
}

std::string decode_revert_reason(ByteView data) {
  if (data.empty()) return "reverted without a reason";
  if (data.size() < 4) return "reverted with malformed data " + to_hex0x(data);
  const ByteView selector = data.first(4);
  const ByteView arguments = data.subspan(4);
  try {
    if (to_hex(selector) == "08c379a0") return abi::Decoder(arguments).string(0);                       // Error(string)
    if (to_hex(selector) == "4e487b71") return "panic " + abi::Decoder(arguments).uint256(0).to_hex();  // Panic
  } catch (const Error&) {
    return "reverted with malformed data " + to_hex0x(data);
  }
  std::string out = "custom error " + to_hex0x(selector);
  try {
    if (arguments.size() >= 64) out += ": " + abi::Decoder(arguments).string(0);
  } catch (const Error&) {
    // not a single-string error: the selector is all we can say
  }
  return out;
}

RpcError rpc_error_from_json(const nlohmann::json& error, const std::string& what) {
  int64_t code = 0;
  std::string message = "unknown error";
  if (error.is_object()) {
    if (auto it = error.find("code"); it != error.end() && it->is_number_integer()) code = it->get<int64_t>();
    if (auto it = error.find("message"); it != error.end() && it->is_string()) message = it->get<std::string>();
  } else if (error.is_string()) {
    message = error.get<std::string>();
  }
  auto data = error.is_object() ? revert_data_of(error) : std::nullopt;
  const bool revert = code == 3 || contains(lowercase(message), "revert");
  std::string text = what + ": " + message;
  if (revert && data && !data->empty()) {
    const std::string reason = decode_revert_reason(*data);
    if (!contains(message, reason)) text += " (" + reason + ")";
  }
  return RpcError(errno_for_rpc(code, message, revert), text, code, message, std::move(data));
}

const nlohmann::json& RpcOutcome::value() const {
  if (error) throw *error;
  return result;
}

JsonRpc::JsonRpc(std::shared_ptr<HttpClient> http, std::string url) : http_(std::move(http)), url_(std::move(url)) {}

nlohmann::json parse_rpc_answer(const HttpResponse& response, const std::string& what) {
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  // Some nodes answer a JSON-RPC error with a 4xx/5xx status: the error object says more than the status.
  const bool rpc_shaped =
      parsed.is_array() || (parsed.is_object() && (parsed.contains("result") || parsed.contains("error")));
  if (!rpc_shaped || errno_for_status(response.status) == EAGAIN) {
    require_success(response, what);
    throw Error(EIO, what + ": not a JSON-RPC answer: " + body_excerpt(response.body));
  }
  return parsed;
}

nlohmann::json rpc_result(nlohmann::json answer, const std::string& what) {
  if (!answer.is_object()) throw Error(EIO, what + ": malformed answer");
  if (auto it = answer.find("error"); it != answer.end() && !it->is_null()) throw rpc_error_from_json(*it, what);
  auto it = answer.find("result");
  if (it == answer.end()) throw Error(EIO, what + ": answer without a result");
  return std::move(*it);
}

void read_batch_answer(const nlohmann::json& answer, const std::vector<RpcCall>& calls, uint64_t first_id,
                       std::vector<RpcOutcome>& out) {
  const std::string what = "batch of " + std::to_string(calls.size()) + " calls";
  if (answer.is_object() && answer.contains("error"))  // the node refused the batch as a whole
    throw rpc_error_from_json(answer["error"], what);
  if (!answer.is_array()) throw Error(EIO, what + ": malformed answer");
  out.assign(calls.size(), RpcOutcome{});
  std::vector<bool> seen(calls.size(), false);
  for (const auto& item : answer) {  // answers may come in any order: match them by id
    if (!item.is_object() || !item.contains("id") || !item["id"].is_number_unsigned()) continue;
    const uint64_t id = item["id"].get<uint64_t>();
    if (id < first_id || id - first_id >= calls.size()) continue;
    const std::size_t index = id - first_id;
    seen[index] = true;
    if (auto it = item.find("error"); it != item.end() && !it->is_null()) {
      out[index].error = rpc_error_from_json(*it, calls[index].method);
    } else if (auto result = item.find("result"); result != item.end()) {
      out[index].result = *result;
    } else {
      out[index].error = RpcError(EIO, calls[index].method + ": answer without a result", 0, "no result", {});
    }
  }
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (!seen[i]) out[i].error = RpcError(EIO, calls[i].method + ": no answer in the batch", 0, "missing answer", {});
}

nlohmann::json JsonRpc::post(const nlohmann::json& body, const std::string& what) {
  HttpRequest request;
  request.method = "POST";
  request.url = url_;
  request.headers = {"Content-Type: application/json", "Accept: application/json"};
  request.body = body.dump();
  return parse_rpc_answer(http_->send(request), what + " at " + url_);
}

nlohmann::json JsonRpc::call(const std::string& method, nlohmann::json params) {
  const uint64_t id = next_id_++;
  nlohmann::json body = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  return rpc_result(post(body, method), method);
}

std::vector<RpcOutcome> JsonRpc::batch(const std::vector<RpcCall>& calls) {
  std::vector<RpcOutcome> out(calls.size());
  for (std::size_t start = 0; start < calls.size(); start += kMaxBatch) {
    const std::size_t end = std::min(calls.size(), start + kMaxBatch);
    if (end - start == 1) {  // a batch of one is a plain call (some nodes mishandle tiny batches)
      try {
        out[start].result = call(calls[start].method, calls[start].params);
      } catch (const RpcError& e) {
        out[start].error = e;
      }
      continue;
    }
    const uint64_t first_id = next_id_.fetch_add(end - start);
    nlohmann::json body = nlohmann::json::array();
    for (std::size_t i = start; i < end; ++i)
      body.push_back({{"jsonrpc", "2.0"},
                      {"id", first_id + (i - start)},
                      {"method", calls[i].method},
                      {"params", calls[i].params}});
    const std::vector<RpcCall> slice(calls.begin() + static_cast<std::ptrdiff_t>(start),
                                     calls.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<RpcOutcome> outcomes;
    read_batch_answer(post(body, "batch of " + std::to_string(end - start) + " calls"), slice, first_id, outcomes);
    std::move(outcomes.begin(), outcomes.end(), out.begin() + static_cast<std::ptrdiff_t>(start));
  }
  return out;
}

}  // namespace pfs::network::iexec
