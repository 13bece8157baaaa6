// How the local network names what it creates, standing in for the chain's CREATE2 addresses, transaction hashes,
// PoCo's hub and its deal and task ids. Every name is a keccak256 over ABI-encoded values, so it is deterministic
// and as collision-free as the chain's.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

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

// An iApp's address: the last 20 bytes of keccak256(abi.encode(string "protectedfs local iApp", bytes32
// sha256(executable))). It depends on the content only, so registering the same executable again (by anyone,
// under any name) is the same app.
crypto::Address app_address(const Hash32& executable_checksum);

// A run's deal and task, as PoCo would name them: deal = keccak256(abi.encode(bytes32 orderHash, uint256 index)),
// where index is the access of the order the run consumes (0 for its first), and task = keccak256(abi.encode(
// bytes32 deal, uint256 0)) as PoCo derives the first task of a deal. Each access of an order is consumed once,
// so a task id is unique per run and the same on every replay of the book.
Hash32 deal_id(const Hash32& order_hash, uint64_t index);
Hash32 task_id(const Hash32& deal, uint64_t index = 0);

// A bulk request's deal: keccak256(abi.encode(address requester, address app, bytes32 keccak256(the order hashes
// concatenated), bytes32 salt)) with a random salt (one request may process the same orders again: bulk orders are
// never consumed); its slice i is task_id(deal, i), as PoCo numbers the tasks of a deal.
Hash32 bulk_deal_id(const crypto::Address& requester, const crypto::Address& app,
                    const std::vector<Hash32>& order_hashes, const Hash32& salt);
// The record of one dataset processed by a bulk task: keccak256(abi.encode(bytes32 task, address dataset)), the
// name of its file in tasks/ (a task of k datasets leaves k records).
Hash32 bulk_access_id(const Hash32& task, const crypto::Address& dataset);

}  // namespace pfs::network::local
