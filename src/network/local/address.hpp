// How the local registry names what it creates, standing in for the chain's CREATE2 and transaction hashes.
#pragma once
#include <string>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

// The last 20 bytes of keccak256(abi.encode(address owner, string name, bytes multiaddr, bytes32 checksum)).
// PoCo's DatasetRegistry derives the address with CREATE2 from a salt over the same four values, so the same
// collision domain holds: the same registration twice is the same address (EEXIST), any other change (a fresh IV
// changes the checksum) a new one. The address itself differs from the chain's, which depends on the registry
// contract's address and code; nothing relies on it beyond uniqueness.
crypto::Address dataset_address(const crypto::Address& owner, const Registration& registration);

// "0x" + keccak256 of the record's canonical bytes: abi.encode(address dataset, address owner, string name,
// bytes multiaddr, bytes32 checksum, string schema, uint256 created). Unique per record like a transaction hash.
std::string record_tx_hash(const DatasetRecord& record);

}  // namespace pfs::network::local
