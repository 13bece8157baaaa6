// Ethereum JSON-RPC 2.0 over HTTP: single calls and batches (one HTTP round trip for many eth_calls, which is what
// keeps listing a wallet's datasets fast on a remote node).
//
// Errors: no answer (refused, timeout, HTTP 5xx/429) is EAGAIN; a node's error object becomes an RpcError whose errno
// says what it means: a revert EIO (callers that know the call give it a sharper errno), "insufficient funds" EDQUOT,
// a log query over too many blocks or results ERANGE (the log scanner then splits the range), an unknown method
// ENOTSUP, bad params EINVAL, anything else EIO.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "network/iexec/http_client.hpp"
#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::iexec {

class RpcError : public Error {
 public:
  RpcError(int errno_code, const std::string& what, int64_t rpc_code, std::string rpc_message,
           std::optional<Bytes> revert_data);

  int64_t rpc_code() const { return rpc_code_; }
  const std::string& rpc_message() const { return rpc_message_; }
  bool is_revert() const { return revert_; }
  const std::optional<Bytes>& revert_data() const { return revert_data_; }
  // The decoded reason of a revert ("ERC721: transfer caller is not owner nor approved"), else the node's message.
  std::string reason() const;

 private:
  int64_t rpc_code_;
  std::string rpc_message_;
  std::optional<Bytes> revert_data_;
  bool revert_ = false;
};

// The readable reason in revert data: Error(string), Panic(uint256), or a custom error (its selector, and its
// string argument when it has one, like PoCo's IncompatibleDatasetOrder(string)).
std::string decode_revert_reason(ByteView data);

// The RpcError an error object stands for (`what` names the call, e.g. "eth_estimateGas").
RpcError rpc_error_from_json(const nlohmann::json& error, const std::string& what);

struct RpcCall {
  std::string method;
  nlohmann::json params;
};

// One answer of a batch: a result, or the error the node gave for that call alone.
struct RpcOutcome {
  nlohmann::json result;
  std::optional<RpcError> error;
  const nlohmann::json& value() const;  // the result, or throws the error
};

// The pieces of reading a node's answer, apart from the HTTP exchange so that they can be tested (and fuzzed) on any
// bytes. The JSON of an answer: an object with "result" or "error", or a batch's array (EAGAIN/EIO otherwise, per
// the header comment; `what` names the call and the node).
nlohmann::json parse_rpc_answer(const HttpResponse& response, const std::string& what);
// A single call's result from its answer, or throws the node's error (EIO for an answer of another shape).
nlohmann::json rpc_result(nlohmann::json answer, const std::string& what);
// The outcomes of `calls` (sent with ids first_id, first_id + 1…) from a batch answer, whose items may come in any
// order; a call without an answer gets an EIO error. Throws when the node refused the batch as a whole.
void read_batch_answer(const nlohmann::json& answer, const std::vector<RpcCall>& calls, uint64_t first_id,
                       std::vector<RpcOutcome>& out);

class JsonRpc {
 public:
  JsonRpc(std::shared_ptr<HttpClient> http, std::string url);

  nlohmann::json call(const std::string& method, nlohmann::json params);
  // Answers in the order of `calls`. Sent as batches of at most kMaxBatch (what public nodes accept).
  std::vector<RpcOutcome> batch(const std::vector<RpcCall>& calls);

  const std::string& url() const { return url_; }
  static constexpr std::size_t kMaxBatch = 50;

 private:
  nlohmann::json post(const nlohmann::json& body, const std::string& what);

  std::shared_ptr<HttpClient> http_;
  std::string url_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace pfs::network::iexec
