#include "network/iexec/tx_sender.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/transaction.hpp"

namespace pfs::network::iexec {
namespace {

using crypto::Uint256;

nlohmann::json call_object(const crypto::Address& from, const crypto::Address& to, ByteView data,
                           const Uint256& value) {
  nlohmann::json call = {{"from", from.to_lowercase()}, {"to", to.to_lowercase()}, {"data", to_hex0x(data)}};
  if (!value.is_zero()) call["value"] = value.to_hex();
  return call;
}

Uint256 parse_uint(const nlohmann::json& value, const std::string& what) {
  if (!value.is_string()) throw Error(EIO, what + " is not a hex quantity");
  try {
    return Uint256::from_hex(value.get<std::string>());
  } catch (const Error& e) {
    throw Error(EIO, what + ": " + e.what());
  }
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

Receipt parse_receipt(const nlohmann::json& json) {
  Receipt out;
  try {
    out.transaction_hash = from_hex_fixed<32>(json.at("transactionHash").get<std::string>());
    out.block_number = Chain::parse_quantity(json.at("blockNumber"), "receipt blockNumber");
    out.success = Chain::parse_quantity(json.at("status"), "receipt status") == 1;
    for (const auto& log : json.at("logs")) out.logs.push_back(LogEntry::from_json(log));
  } catch (const nlohmann::json::exception& e) {
    throw Error(EIO, std::string("malformed transaction receipt: ") + e.what());
  } catch (const Error& e) {
    throw Error(EIO, std::string("malformed transaction receipt: ") + e.what());
  }
  return out;
}

}  // namespace

Hash32 send_identity(const crypto::Address& from, const crypto::Address& to, ByteView data, const Uint256& value) {
  return crypto::Keccak256().update(from.bytes()).update(to.bytes()).update(value.bytes()).update(data).finish();
}

TransactionSender::TransactionSender(std::shared_ptr<Chain> chain, SenderOptions options)
    : chain_(std::move(chain)), options_(options) {}

TransactionSender::Wallet& TransactionSender::wallet(const crypto::Address& address) {
  MutexLock lock(mutex_);
  auto& slot = wallets_[address];
  if (!slot) slot = std::make_unique<Wallet>();
  return *slot;
}

void TransactionSender::check_chain_id() {
  {
    MutexLock lock(mutex_);
    if (chain_checked_) return;
  }
  const uint64_t actual = chain_->chain_id();
  if (actual != options_.chain_id)
    throw Error(EINVAL, "the RPC endpoint " + chain_->rpc().url() + " serves chain " + std::to_string(actual) +
                            ", the profile says chain_id " + std::to_string(options_.chain_id));
  MutexLock lock(mutex_);
  chain_checked_ = true;
}

Uint256 TransactionSender::estimate_gas(const crypto::Address& from, const crypto::Address& to, ByteView data,
                                        const Uint256& value) {
  const Uint256 estimate =
      parse_uint(chain_->rpc().call("eth_estimateGas", nlohmann::json::array({call_object(from, to, data, value)})),
                 "eth_estimateGas");
  // 25% + 10k of margin: estimates are exact for the state they ran on, and the state may move before mining.
  const uint64_t gas = estimate.to_uint64();
  return Uint256(gas + gas / 4 + 10000);
}

TransactionSender::Fees TransactionSender::current_fees() {
  std::optional<bool> known;
  {
    MutexLock lock(mutex_);
    known = eip1559_;
  }
  Fees fees;
  if (!known || *known) {
    const auto block = chain_->rpc().call("eth_getBlockByNumber", nlohmann::json::array({"latest", false}));
    const bool has_base_fee = block.is_object() && block.contains("baseFeePerGas") && !block["baseFeePerGas"].is_null();
    {
      MutexLock lock(mutex_);
      eip1559_ = has_base_fee;
    }
    if (has_base_fee) {
      const Uint256 base = parse_uint(block["baseFeePerGas"], "baseFeePerGas");
      Uint256 priority;
      try {
        priority = parse_uint(chain_->rpc().call("eth_maxPriorityFeePerGas", nlohmann::json::array()),
                              "eth_maxPriorityFeePerGas");
      } catch (const RpcError& e) {
        if (e.code() != ENOTSUP) throw;  // a node without the method: no tip (Arbitrum ignores tips anyway)
      }
      fees.eip1559 = true;
      fees.priority_fee = priority;
      fees.max_fee = base * Uint256(2) + priority;  // room for the base fee to double before inclusion
      return fees;
    }
  }
  fees.eip1559 = false;
  fees.max_fee = parse_uint(chain_->rpc().call("eth_gasPrice", nlohmann::json::array()), "eth_gasPrice");
  return fees;
}

Hash32 TransactionSender::sign_and_send(const crypto::PrivateKey& key, const crypto::Address& to, ByteView data,
                                        const Uint256& value, const Uint256& gas, const Hash32& identity) {
  const crypto::Address from = key.address();
  const Fees fees = current_fees();
  Wallet& w = wallet(from);
  MutexLock lock(w.mutex);
  for (int attempt = 0;; ++attempt) {
    const uint64_t pending = Chain::parse_quantity(
        chain_->rpc().call("eth_getTransactionCount", nlohmann::json::array({from.to_lowercase(), "pending"})),
        "eth_getTransactionCount");
    const uint64_t nonce = std::max(pending, w.next_nonce.value_or(0));
    crypto::SignedTransaction signed_tx;
    if (fees.eip1559) {
      crypto::Eip1559Transaction tx{
          options_.chain_id, nonce, fees.priority_fee, fees.max_fee, gas, to, value, Bytes(data.begin(), data.end())};
      signed_tx = tx.sign(key);
    } else {
      crypto::LegacyTransaction tx{
          options_.chain_id, nonce, fees.max_fee, gas, to, value, Bytes(data.begin(), data.end())};
      signed_tx = tx.sign(key);
    }
    // In flight from now on: if the node's answer is lost, the transaction may still be out there, and a retry of
    // the same send must wait for it rather than send a twin.
    {
      MutexLock state(mutex_);
      in_flight_[identity] = signed_tx.hash;
    }
    try {
      chain_->rpc().call("eth_sendRawTransaction", nlohmann::json::array({to_hex0x(signed_tx.raw)}));
    } catch (const RpcError& e) {
      const std::string message = lower(e.rpc_message());
      if (message.find("already known") != std::string::npos) {
        // The node has this very transaction already (a retry of a send whose answer was lost).
      } else {
        {
          MutexLock state(mutex_);
          in_flight_.erase(identity);  // refused: it will never be mined
        }
        if (message.find("nonce too low") != std::string::npos && attempt < 3) {
          w.next_nonce.reset();  // our count ran behind the chain (another client of the wallet): ask again
          continue;
        }
        if (e.code() == EAGAIN) w.next_nonce.reset();
        throw;
      }
    } catch (const Error&) {
      w.next_nonce.reset();  // no answer: the node's pending count will say whether it got the transaction
      throw;
    }
    w.next_nonce = nonce + 1;
    return signed_tx.hash;
  }
}

Receipt TransactionSender::wait_for_receipt(const Hash32& tx, const crypto::Address& from, const crypto::Address& to,
                                            ByteView data, const Uint256& value) {
  const auto deadline = std::chrono::steady_clock::now() + options_.receipt_timeout;
  auto pause = options_.first_poll;
  std::string last_problem;
  for (;;) {
    try {
      const auto answer = chain_->rpc().call("eth_getTransactionReceipt", nlohmann::json::array({to_hex0x(tx)}));
      if (answer.is_object()) {
        Receipt receipt = parse_receipt(answer);
        if (receipt.success) return receipt;
        // Mined but reverted: replay the call on the state it ran on to learn why.
        std::optional<Bytes> revert_data;
        std::string reason = "reverted";
        try {
          chain_->rpc().call("eth_call", nlohmann::json::array({call_object(from, to, data, value),
                                                                Chain::quantity(receipt.block_number)}));
        } catch (const RpcError& e) {
          revert_data = e.revert_data();
          reason = e.reason();
        }
        throw RpcError(EIO, "transaction " + to_hex0x(tx) + " reverted: " + reason, 3, "execution reverted: " + reason,
                       std::move(revert_data));
      }
    } catch (const RpcError&) {
      throw;
    } catch (const Error& e) {
      if (e.code() != EAGAIN) throw;
      last_problem = e.what();  // the node is unreachable for now; the transaction may still be mined
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(options_.max_poll, pause * 2);
  }

  bool dropped = false;
  try {
    dropped = chain_->rpc().call("eth_getTransactionByHash", nlohmann::json::array({to_hex0x(tx)})).is_null();
  } catch (const Error&) {
    // unknown: treat as still pending
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(options_.receipt_timeout.count()) / 1000);
  if (dropped) {
    Wallet& w = wallet(from);
    {
      MutexLock wallet_lock(w.mutex);
      w.next_nonce.reset();  // its nonce is free again
    }
    MutexLock lock(mutex_);
    in_flight_.erase(send_identity(from, to, data, value));
    throw Error(EAGAIN, "transaction " + to_hex0x(tx) + " was dropped by the node before being mined");
  }
  throw Error(EAGAIN, "transaction " + to_hex0x(tx) + " not mined after " + seconds + " s" +
                          (last_problem.empty() ? "" : " (" + last_problem + ")"));
}

bool TransactionSender::in_flight(const crypto::Address& from, const crypto::Address& to, ByteView data,
                                  const Uint256& value) {
  MutexLock lock(mutex_);
  return in_flight_.contains(send_identity(from, to, data, value));
}

void TransactionSender::forget(const crypto::Address& from, const crypto::Address& to, ByteView data,
                               const Uint256& value) {
  MutexLock lock(mutex_);
  in_flight_.erase(send_identity(from, to, data, value));
}

Receipt TransactionSender::send(const crypto::PrivateKey& key, const crypto::Address& to, ByteView data,
                                const Uint256& value) {
  check_chain_id();
  const crypto::Address from = key.address();
  const Hash32 identity = send_identity(from, to, data, value);
  std::optional<Hash32> previous;
  {
    MutexLock lock(mutex_);
    if (auto it = in_flight_.find(identity); it != in_flight_.end()) previous = it->second;
  }
  if (previous &&
      chain_->rpc().call("eth_getTransactionByHash", nlohmann::json::array({to_hex0x(*previous)})).is_null()) {
    // The node never got it (its answer was lost on the way there, not back): send it anew.
    MutexLock lock(mutex_);
    in_flight_.erase(identity);
    previous.reset();
  }
  // The same send already out there is waited for rather than sent twice.
  const Hash32 tx =
      previous ? *previous : sign_and_send(key, to, data, value, estimate_gas(from, to, data, value), identity);
  try {
    Receipt receipt = wait_for_receipt(tx, from, to, data, value);
    MutexLock lock(mutex_);
    in_flight_.erase(identity);
    return receipt;
  } catch (const RpcError&) {
    MutexLock lock(mutex_);
    in_flight_.erase(identity);  // mined and reverted: a new send is a new transaction
    throw;
  }
}

}  // namespace pfs::network::iexec
