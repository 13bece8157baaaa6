// The contract calls the iExec network makes, as pure functions: calldata in, decoded answers out. Signatures are
// the ones of PoCo 6.1.0 (hub facets, DatasetRegistry, Dataset, App) and of the DataProtector (PROTOCOL.md §2, §4,
// §5); tests/unit/network/test_iexec_contracts.cpp checks them against the reference vectors.
#pragma once
#include <cstdint>
#include <string>

#include "network/iexec/orders.hpp"
#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/eip712.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::network::iexec::contracts {

// ---- events ----
Hash32 dataset_schema_topic();        // DatasetSchema(address,string) on the DataProtector
Hash32 orders_matched_topic();        // OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256) on the hub
Hash32 closed_dataset_order_topic();  // ClosedDatasetOrder(bytes32) on the hub

// ---- DataProtector ----
Bytes create_dataset_with_schema(const crypto::Address& owner, const Registration& registration);

// ---- DatasetRegistry (an ERC-721 whose token ids are the dataset addresses) ----
Bytes is_registered(const crypto::Address& entry);
Bytes owner_of(const crypto::Address& entry);
Bytes balance_of(const crypto::Address& owner);
Bytes token_of_owner_by_index(const crypto::Address& owner, uint64_t index);
Bytes safe_transfer_from(const crypto::Address& from, const crypto::Address& to, const crypto::Address& entry);
Bytes proxy_code_hash();
// Where createDataset will put (or has put) this registration: the registry deploys each dataset as a proxy with
// CREATE2, salt = keccak256(abi.encodePacked(initializer, owner)) where initializer is the
// initialize(string,bytes,bytes32) call (PoCo Registry._mintPredict). Same inputs, same address: this is how a
// retried publish finds its first registration.
crypto::Address predict_dataset(const crypto::Address& registry, const Hash32& proxy_code_hash,
                                const crypto::Address& owner, const Registration& registration);

// ---- Dataset / App getters ----
Bytes dataset_name();
Bytes dataset_multiaddr();
Bytes dataset_checksum();
Bytes app_name();
Bytes app_checksum();
Bytes owner();

// ---- hub (PoCo diamond) ----
Bytes domain();
Bytes dataset_registry();
Bytes app_registry();
Bytes view_consumed(const Hash32& order_hash);
Bytes view_account(const crypto::Address& account);
Bytes view_task(const Hash32& task);
Bytes manage_dataset_order_close(const SignedOrder& order);
Bytes match_orders(const SignedAppOrder& app, const SignedOrder& dataset, const SignedWorkerpoolOrder& workerpool,
                   const SignedRequestOrder& request);

// The order a manageDatasetOrder(…CLOSE…) transaction's input carries (EINVAL for any other input).
SignedOrder decode_manage_dataset_order_close(ByteView calldata);

// One OrdersMatched event's dataset order hash and matched volume.
struct MatchedOrders {
  Hash32 deal{};
  Hash32 dataset_order{};
  uint64_t volume = 0;
};
MatchedOrders decode_orders_matched(ByteView data);

// hub.domain()'s (string name, string version, uint256 chainId, address verifyingContract).
crypto::Eip712Domain decode_domain(ByteView data);
// hub.viewAccount's stake (the first member of (uint256 stake, uint256 locked)).
crypto::Uint256 decode_account_stake(ByteView data);

enum class TaskStatus : uint8_t { unset = 0, active = 1, revealing = 2, completed = 3, failed = 4 };
struct TaskView {
  TaskStatus status = TaskStatus::unset;
  Hash32 dealid{};
  uint64_t final_deadline = 0;  // unix seconds; a task not completed by then can only be claimed (the SDK's TIMEOUT)
  Bytes results;                // JSON {"storage":…,"location":…} once completed
};
TaskView decode_task(ByteView data);
std::string task_status_name(TaskStatus status);

// keccak256(abi.encode(dealid, index)): the id of the deal's index-th task.
Hash32 task_id(const Hash32& dealid, uint64_t index);

}  // namespace pfs::network::iexec::contracts
