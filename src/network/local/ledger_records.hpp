// The immutable files of the local grant book and accounts (see directory.hpp for where they live): a published
// order, a closed order, a run's consumed access, a faucet deposit. Each is one small JSON object, written once.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

// grants/<0xhash>.json or grants/<0xhash>.closed: {"orderHash","order":{…the market API's form…},"sign",
// "sequence","time"} (+ "by": the owner who closed it, for .closed). `sequence` orders the book across writers
// (assigned under the write lock); `time` is unix seconds of the publication or of the close.
struct OrderFile {
  SignedOrder order;
  uint64_t sequence = 0;
  uint64_t time = 0;
  std::optional<crypto::Address> closed_by;  // .closed files only
};

// tasks/<0xtask>.json: {"task","deal","orderHash","index","dataset","app","requester","beneficiary","price",
// "created"[,"bulk"]}. `index` is the access of the order this run consumed (0 for the first); `price` in nRLC went
// from the requester's account to the beneficiary's (the dataset's owner when the run started).
struct TaskFile {
  Hash32 task{};
  Hash32 deal{};
  Hash32 order_hash{};
  uint64_t index = 0;
  crypto::Address dataset;
  crypto::Address app;
  crypto::Address requester;
  crypto::Address beneficiary;
  uint64_t price = 0;
  uint64_t created = 0;
  // A dataset processed by a bulk task ("bulk": true): counted as a use of its order, never consumed (PoCo does not
  // match bulk dataset orders); its file is named by bulk_access_id(task, dataset), not by the task.
  bool bulk = false;
  Hash32 file_hash() const;  // the hash naming its file
};

// accounts/<0xaddr>/<0xid>.json: {"account","amount","created"}, amount in nRLC.
struct DepositFile {
  crypto::Address account;
  uint64_t amount = 0;
  uint64_t created = 0;
};

// "0x" + 64 lowercase hex digits + suffix (".json", ".closed"), the names of orders, tasks and deposits.
std::string hash_file_name(const Hash32& hash, std::string_view suffix);
// The hash named by such a file name, nullopt for any other name (temporaries, stray files).
std::optional<Hash32> parse_hash_file_name(std::string_view name, std::string_view suffix);

std::string encode_order_file(const OrderFile& file);
std::string encode_task_file(const TaskFile& file);
std::string encode_deposit_file(const DepositFile& file);
// nullopt for anything that is not a complete, well-formed file (a damaged file is skipped, never fatal).
std::optional<OrderFile> decode_order_file(std::string_view json);
std::optional<TaskFile> decode_task_file(std::string_view json);
std::optional<DepositFile> decode_deposit_file(std::string_view json);

}  // namespace pfs::network::local
