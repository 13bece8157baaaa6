// iExec networks (SPEC.md §6, PROTOCOL.md §6): the five narrow interfaces of network.hpp over HTTP — IPFS (Kubo RPC
// `add`, the gateway for reads), the chain (JSON-RPC: DataProtector, DatasetRegistry, PoCo hub; transactions signed
// here), the SMS and the market API — described by a Profile. Two profiles are built in (`arbitrum-mainnet`,
// `arbitrum-sepolia-testnet`); the config file can override any key of them or define new ones (a local anvil chain
// with its own IPFS node, SMS and market).
//
// What the iExec implementation does not do:
//   - Compute::register_app and Compute::fund are ENOTSUP (apps are deployed and accounts funded by iExec's tools).
//   - Compute::run matches the orders on chain (one access of the grant is consumed), then follows the task with
//     hub.viewTask for at most `task_timeout` and downloads its result (the zip at the task's result location,
//     through the IPFS gateway) into RunRequest::out. With task_timeout = 0 it returns right after the match, result
//     not delivered (RunResult::delivered false): that is how it is used against a local test chain, which has no
//     worker (its tasks stay UNSET). A task still running at the timeout is ETIMEDOUT naming the task; a FAILED task
//     is EIO. Compute::result fetches a COMPLETED task's result as the SDK's fetchTaskResults does.
//   - list_by_owner / find_by_schema / find only know datasets registered through the DataProtector (the schema
//     lives only in its DatasetSchema log); a dataset created directly in the registry has no schema: find() gives it
//     with an empty schema, the lists leave it out.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::network {

struct Profile {
  std::string name;
  uint64_t chain_id = 0;
  std::string rpc;                                  // JSON-RPC endpoint
  crypto::Address hub;                              // PoCo proxy (the EIP-712 verifying contract)
  std::optional<crypto::Address> dataset_registry;  // read from hub.datasetregistry() when absent
  crypto::Address dataprotector;
  std::string ipfs_api;      // Kubo RPC (POST /api/v0/add)
  std::string ipfs_gateway;  // GET /ipfs/<cid>
  std::string sms;
  std::string market;
  uint64_t log_start_block = 0;  // the DataProtector's deployment block: log scans start there
  Hash32 order_tag{};            // tag of the grants signed on this network (PROTOCOL.md §4)

  // Tuning; the config keys have the same names (durations in seconds).
  // One HTTP request (an upload has no total limit: it fails when it stalls).
  std::chrono::seconds request_timeout{60};
  // A transaction must be mined within this, else EAGAIN (it may still land: a retry finds it).
  std::chrono::seconds tx_timeout{180};
  // How long `run` follows its task; 0: return right after the match.
  std::chrono::seconds task_timeout{1800};
  // At most this many blocks per eth_getLogs; 0: start with the whole range and halve where the node refuses.
  uint64_t log_block_range = 0;
  // Run only on this workerpool's orders.
  std::optional<crypto::Address> workerpool;
};

// The built-in profiles, by name; nullopt for another name.
std::optional<Profile> builtin_profile(const std::string& name);
std::vector<std::string> builtin_profile_names();

// The profile `name`: a built-in one with the overrides of `[networks.NAME]` in the config file, or a profile the
// config file defines whole. A missing config file is no error (built-ins only). EINVAL naming the file and the key
// for an unknown key, a malformed value, or a new profile missing a required key; ENOENT for a name that is neither
// built in nor in the file.
Profile load_profile(const std::string& name, const std::filesystem::path& config_path);

// The config file's `default_network` (nullopt when the file or the key is absent); EINVAL as load_profile.
std::optional<std::string> configured_default_network(const std::filesystem::path& config_path);

// Opens the network a profile describes. No I/O happens here: peers are contacted on first use, so opening an
// unreachable network succeeds and each call then reports EAGAIN until it is back.
std::unique_ptr<Network> open_iexec_network(const Profile& profile);

}  // namespace pfs::network
