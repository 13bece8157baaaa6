// Sending transactions signed locally: gas estimated with a margin, fees from the chain (EIP-1559 when blocks carry a
// base fee, else legacy with EIP-155), nonces from eth_getTransactionCount(pending) plus local tracking (so two sends
// in a row from one wallet never reuse a nonce even if the node lags), eth_sendRawTransaction, then the receipt
// polled until it comes or the timeout passes.
//
// Failures: a revert, at estimation or once mined, is an RpcError with is_revert() and the decoded reason (errno EIO;
// callers that know the call map reasons to EACCES, EEXIST…). Not mined in time is EAGAIN; a transaction the node
// dropped is EAGAIN too, and its nonce is released. A send identical to one still in flight (same wallet, target,
// data and value; sent, or sent with its answer lost) waits for that transaction instead of sending a second one, so
// a caller that retries after a timeout or a lost answer cannot register twice within one process.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "network/iexec/chain.hpp"
#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::network::iexec {

struct Receipt {
  Hash32 transaction_hash{};
  uint64_t block_number = 0;
  bool success = false;
  std::vector<LogEntry> logs;
};

struct SenderOptions {
  uint64_t chain_id = 0;
  std::chrono::milliseconds receipt_timeout{180000};
  std::chrono::milliseconds first_poll{10};  // receipt polling starts fast (anvil mines within milliseconds)…
  std::chrono::milliseconds max_poll{2000};  // …and backs off to this
};

class TransactionSender {
 public:
  TransactionSender(std::shared_ptr<Chain> chain, SenderOptions options);

  Receipt send(const crypto::PrivateKey& key, const crypto::Address& to, ByteView data,
               const crypto::Uint256& value = crypto::Uint256());
  // Whether this very send is in flight (sent, or sent with its answer lost, and not settled yet).
  bool in_flight(const crypto::Address& from, const crypto::Address& to, ByteView data,
                 const crypto::Uint256& value = crypto::Uint256());
  // Settles a send the caller saw land by other means (its effect found on chain): a later identical send is new.
  void forget(const crypto::Address& from, const crypto::Address& to, ByteView data,
              const crypto::Uint256& value = crypto::Uint256());

 private:
  struct Fees {
    bool eip1559 = true;
    crypto::Uint256 max_fee;       // or the legacy gas price
    crypto::Uint256 priority_fee;  // EIP-1559 only
  };
  struct Wallet {
    Mutex mutex;  // held while a nonce is chosen and the transaction sent, not while waiting for the receipt
    std::optional<uint64_t> next_nonce PFS_GUARDED_BY(mutex);
  };

  void check_chain_id();
  crypto::Uint256 estimate_gas(const crypto::Address& from, const crypto::Address& to, ByteView data,
                               const crypto::Uint256& value);
  Fees current_fees();
  Hash32 sign_and_send(const crypto::PrivateKey& key, const crypto::Address& to, ByteView data,
                       const crypto::Uint256& value, const crypto::Uint256& gas, const Hash32& identity);
  Receipt wait_for_receipt(const Hash32& tx, const crypto::Address& from, const crypto::Address& to, ByteView data,
                           const crypto::Uint256& value);
  Wallet& wallet(const crypto::Address& address);

  std::shared_ptr<Chain> chain_;
  SenderOptions options_;
  Mutex mutex_;
  bool chain_checked_ PFS_GUARDED_BY(mutex_) = false;
  std::optional<bool> eip1559_ PFS_GUARDED_BY(mutex_);
  std::map<crypto::Address, std::unique_ptr<Wallet>> wallets_ PFS_GUARDED_BY(mutex_);
  std::map<Hash32, Hash32> in_flight_ PFS_GUARDED_BY(mutex_);  // send identity → transaction hash
};

// keccak256(from || to || value || data): what makes two sends "the same".
Hash32 send_identity(const crypto::Address& from, const crypto::Address& to, ByteView data,
                     const crypto::Uint256& value);

}  // namespace pfs::network::iexec
