#include "network/iexec/chain.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "protectedfs/crypto/uint256.hpp"

namespace pfs::network::iexec {
namespace {

Hash32 parse_hash(const nlohmann::json& value, const std::string& what) {
  if (!value.is_string()) throw Error(EIO, what + " is not a hex string");
  try {
    return from_hex_fixed<32>(value.get<std::string>());
  } catch (const Error& e) {
    throw Error(EIO, what + ": " + e.what());
  }
}

Bytes parse_data(const nlohmann::json& value, const std::string& what) {
  if (!value.is_string()) throw Error(EIO, what + " is not a hex string");
  try {
    return from_hex(value.get<std::string>());
  } catch (const Error& e) {
    throw Error(EIO, what + ": " + e.what());
  }
}

nlohmann::json call_params(const CallRequest& call) {
  return nlohmann::json::array({{{"to", call.to.to_lowercase()}, {"data", to_hex0x(call.data)}}, "latest"});
}

nlohmann::json filter_json(const LogFilter& filter, uint64_t from, uint64_t to) {
  nlohmann::json addresses = nlohmann::json::array();
  for (const auto& a : filter.addresses) addresses.push_back(a.to_lowercase());
  nlohmann::json topics = nlohmann::json::array();
  for (const auto& alternatives : filter.topics) {
    if (alternatives.empty()) {
      topics.push_back(nullptr);
    } else if (alternatives.size() == 1) {
      topics.push_back(to_hex0x(alternatives.front()));
    } else {
      nlohmann::json any = nlohmann::json::array();
      for (const auto& t : alternatives) any.push_back(to_hex0x(t));
      topics.push_back(std::move(any));
    }
  }
  return {{"address", addresses.size() == 1 ? addresses[0] : addresses},
          {"topics", topics},
          {"fromBlock", Chain::quantity(from)},
          {"toBlock", Chain::quantity(to)}};
}

}  // namespace

LogEntry LogEntry::from_json(const nlohmann::json& log) {
  if (!log.is_object()) throw Error(EIO, "eth_getLogs: a log is not an object");
  LogEntry out;
  try {
    out.address = crypto::Address::parse(log.at("address").get<std::string>());
    for (const auto& topic : log.at("topics")) out.topics.push_back(parse_hash(topic, "log topic"));
    out.data = parse_data(log.at("data"), "log data");
    out.block_number = Chain::parse_quantity(log.at("blockNumber"), "log blockNumber");
    out.log_index = Chain::parse_quantity(log.at("logIndex"), "log logIndex");
    out.transaction_hash = parse_hash(log.at("transactionHash"), "log transactionHash");
  } catch (const nlohmann::json::exception& e) {
    throw Error(EIO, std::string("eth_getLogs: malformed log: ") + e.what());
  } catch (const Error& e) {
    throw Error(EIO, std::string("eth_getLogs: malformed log: ") + e.what());
  }
  return out;
}

const Bytes& CallOutcome::value() const {
  if (error) throw *error;
  return data;
}

Chain::Chain(std::shared_ptr<JsonRpc> rpc, uint64_t log_start_block, uint64_t max_log_range)
    : rpc_(std::move(rpc)), log_start_block_(log_start_block), log_span_(max_log_range) {}

std::string Chain::quantity(uint64_t value) { return crypto::Uint256(value).to_hex(); }

uint64_t Chain::parse_quantity(const nlohmann::json& value, const std::string& what) {
  try {
    if (value.is_string()) return crypto::Uint256::from_hex(value.get<std::string>()).to_uint64();
    if (value.is_number_unsigned()) return value.get<uint64_t>();
  } catch (const Error& e) {
    throw Error(EIO, what + ": " + e.what());
  }
  throw Error(EIO, what + " is not a quantity");
}

Bytes Chain::call(const crypto::Address& to, ByteView data) {
  const CallRequest request{to, Bytes(data.begin(), data.end())};
  return parse_data(rpc_->call("eth_call", call_params(request)), "eth_call result");
}

std::vector<CallOutcome> Chain::call_batch(const std::vector<CallRequest>& calls) {
  std::vector<RpcCall> rpc_calls;
  rpc_calls.reserve(calls.size());
  for (const auto& c : calls) rpc_calls.push_back({"eth_call", call_params(c)});
  auto outcomes = rpc_->batch(rpc_calls);
  std::vector<CallOutcome> out(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (outcomes[i].error) {
      out[i].error = outcomes[i].error;
    } else {
      out[i].data = parse_data(outcomes[i].result, "eth_call result");
    }
  }
  return out;
}

uint64_t Chain::chain_id() {
  {
    MutexLock lock(mutex_);
    if (chain_id_) return *chain_id_;
  }
  const uint64_t id = parse_quantity(rpc_->call("eth_chainId", nlohmann::json::array()), "eth_chainId");
  MutexLock lock(mutex_);
  chain_id_ = id;
  return id;
}

uint64_t Chain::block_number() {
  return parse_quantity(rpc_->call("eth_blockNumber", nlohmann::json::array()), "eth_blockNumber");
}

std::map<uint64_t, uint64_t> Chain::block_timestamps(const std::set<uint64_t>& blocks) {
  std::map<uint64_t, uint64_t> out;
  std::vector<uint64_t> missing;
  {
    MutexLock lock(mutex_);
    for (uint64_t b : blocks) {
      auto it = timestamps_.find(b);
      if (it != timestamps_.end()) {
        out.emplace(b, it->second);
      } else {
        missing.push_back(b);
      }
    }
  }
  if (missing.empty()) return out;
  std::vector<RpcCall> calls;
  for (uint64_t b : missing) calls.push_back({"eth_getBlockByNumber", nlohmann::json::array({quantity(b), false})});
  auto answers = rpc_->batch(calls);
  MutexLock lock(mutex_);
  for (std::size_t i = 0; i < missing.size(); ++i) {
    const auto& block = answers[i].value();
    if (!block.is_object())
      throw Error(EAGAIN, "block " + std::to_string(missing[i]) + " is not known to the node yet");
    const uint64_t time = parse_quantity(block.value("timestamp", nlohmann::json()), "block timestamp");
    timestamps_[missing[i]] = time;
    out.emplace(missing[i], time);
  }
  return out;
}

std::vector<LogEntry> Chain::logs(const LogFilter& filter, uint64_t from, uint64_t to) {
  std::vector<LogEntry> out;
  uint64_t span;
  {
    MutexLock lock(mutex_);
    span = log_span_;
  }
  uint64_t at = from;
  while (at <= to) {
    const uint64_t width = span == 0 ? to - at + 1 : span;
    const uint64_t end = (to - at) < width ? to : at + width - 1;
    nlohmann::json answer;
    try {
      answer = rpc_->call("eth_getLogs", nlohmann::json::array({filter_json(filter, at, end)}));
    } catch (const RpcError& e) {
      if (e.code() != ERANGE || end == at) throw;
      span = std::max<uint64_t>(1, (end - at + 1) / 2);  // the node wants smaller ranges: halve and retry
      MutexLock lock(mutex_);
      log_span_ = span;
      continue;
    }
    if (!answer.is_array()) throw Error(EIO, "eth_getLogs: the answer is not a list");
    for (const auto& log : answer) {
      if (log.is_object() && log.value("removed", false)) continue;
      out.push_back(LogEntry::from_json(log));
    }
    if (end == to) break;
    at = end + 1;
  }
  std::sort(out.begin(), out.end(), [](const LogEntry& a, const LogEntry& b) {
    return a.block_number != b.block_number ? a.block_number < b.block_number : a.log_index < b.log_index;
  });
  return out;
}

std::vector<LogEntry> Chain::logs_since_start(const LogFilter& filter) {
  const uint64_t latest = block_number();
  if (latest < log_start_block_) return {};
  return logs(filter, log_start_block_, latest);
}

}  // namespace pfs::network::iexec
