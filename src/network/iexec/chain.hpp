// Reading the chain: eth_call (one or a batch), block numbers and times, and event logs over long block ranges.
//
// Logs are fetched in bounded block ranges: a node that refuses a range as too large (ERANGE from JsonRpc) gets
// halves until it accepts, and the accepted span is kept for the rest of the scan; `max_log_range` (0 = try the
// whole range first) caps it from the start for nodes known to be strict. Block times never change, so they are
// cached.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "network/iexec/json_rpc.hpp"
#include "protectedfs/crypto/address.hpp"
#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::network::iexec {

struct LogEntry {
  crypto::Address address;
  std::vector<Hash32> topics;
  Bytes data;
  uint64_t block_number = 0;
  uint64_t log_index = 0;
  Hash32 transaction_hash{};

  static LogEntry from_json(const nlohmann::json& log);  // EIO for a malformed log
};

struct LogFilter {
  std::vector<crypto::Address> addresses;
  // Per topic position, the accepted values (any of them); an empty position matches anything.
  std::vector<std::vector<Hash32>> topics;
};

struct CallRequest {
  crypto::Address to;
  Bytes data;
};

// The answer to one eth_call of a batch.
struct CallOutcome {
  Bytes data;
  std::optional<RpcError> error;  // a revert (e.g. ownerOf of a token that does not exist) or a node error
  const Bytes& value() const;     // the data, or throws the error
};

class Chain {
 public:
  Chain(std::shared_ptr<JsonRpc> rpc, uint64_t log_start_block, uint64_t max_log_range);

  JsonRpc& rpc() { return *rpc_; }

  Bytes call(const crypto::Address& to, ByteView data);
  std::vector<CallOutcome> call_batch(const std::vector<CallRequest>& calls);

  uint64_t chain_id();  // eth_chainId (cached)
  uint64_t block_number();
  std::map<uint64_t, uint64_t> block_timestamps(const std::set<uint64_t>& blocks);
  uint64_t block_timestamp(uint64_t block) { return block_timestamps({block}).at(block); }

  // Logs matching the filter in [from, to], oldest first (by block, then index); removed (reorged) logs are left out.
  std::vector<LogEntry> logs(const LogFilter& filter, uint64_t from, uint64_t to);
  // The same from the profile's log start block to the latest block.
  std::vector<LogEntry> logs_since_start(const LogFilter& filter);

  static std::string quantity(uint64_t value);                                           // "0x1a"
  static uint64_t parse_quantity(const nlohmann::json& value, const std::string& what);  // EIO if malformed

 private:
  std::shared_ptr<JsonRpc> rpc_;
  const uint64_t log_start_block_;
  Mutex mutex_;
  uint64_t log_span_ PFS_GUARDED_BY(mutex_);  // the widest range the node accepted (0 = not limited yet)
  std::optional<uint64_t> chain_id_ PFS_GUARDED_BY(mutex_);
  std::map<uint64_t, uint64_t> timestamps_ PFS_GUARDED_BY(mutex_);
};

}  // namespace pfs::network::iexec
