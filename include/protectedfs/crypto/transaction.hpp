// Signed Ethereum transactions for eth_sendRawTransaction: EIP-1559 (type 2, what Arbitrum and anvil expect by
// default) and legacy with EIP-155 replay protection (chains without EIP-1559). Both bind the chain id so a
// transaction cannot be replayed on another network. The transaction hash is keccak256 of the raw bytes.
#pragma once
#include <optional>
#include <string>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

struct SignedTransaction {
  Bytes raw;    // what eth_sendRawTransaction takes (as 0x hex)
  Hash32 hash;  // what the node answers and what eth_getTransactionReceipt asks for
};

// 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList,
// yParity, r, s]); the access list is always empty.
struct Eip1559Transaction {
  Uint256 chain_id;
  Uint256 nonce;
  Uint256 max_priority_fee_per_gas;
  Uint256 max_fee_per_gas;
  Uint256 gas_limit;
  std::optional<Address> to;  // empty = contract creation
  Uint256 value;              // wei
  Bytes data;

  Bytes unsigned_payload() const;  // 0x02 || rlp([...the first 9 fields])
  Hash32 signing_hash() const;     // keccak256(unsigned_payload())
  SignedTransaction sign(const PrivateKey& key) const;
};

// rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s]) with v = 35 + 2 * chainId + recid (EIP-155).
struct LegacyTransaction {
  Uint256 chain_id;  // must not be 0: unprotected (pre-EIP-155) transactions are refused
  Uint256 nonce;
  Uint256 gas_price;
  Uint256 gas_limit;
  std::optional<Address> to;
  Uint256 value;
  Bytes data;

  Hash32 signing_hash() const;  // keccak256(rlp([nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0]))
  SignedTransaction sign(const PrivateKey& key) const;
};

// keccak256 of the raw signed bytes (either type).
Hash32 transaction_hash(ByteView raw);

}  // namespace pfs::crypto
