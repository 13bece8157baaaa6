// The local grant book's and accounts' state, as the sum of the immutable files that record every event (published
// and closed orders, consumed accesses, deposits; see ledger_records.hpp). Reading needs no lock: files appear
// whole, and each handle parses a file once and keeps it. Writing is done under the directory's write lock by the
// grant book and the runner, which check PoCo's rules against a fresh view first.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "network/local/directory.hpp"
#include "network/local/ledger_records.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::network::local {

class Ledger {
 public:
  explicit Ledger(std::shared_ptr<Directory> dir) : dir_(std::move(dir)) {}

  struct Order {
    SignedOrder signed_order;
    uint64_t sequence = 0;
    // Who signed it, recovered from the signature over the order hash in the local domain; nullopt for a signature
    // that recovers no key. PoCo compares this with the dataset's owner *at match time*.
    std::optional<crypto::Address> signer;
    bool closed = false;
    uint64_t uses = 0;       // accesses consumed by runs, and datasets processed by bulk tasks
    uint64_t bulk_uses = 0;  // of which bulk: they do not consume the order's volume

    OrderState state() const;
    bool used_up() const { return state().remaining() == 0; }
  };

  // Every order known (published, or closed without being published), oldest first.
  std::vector<Order> orders();
  std::optional<Order> order(const Hash32& hash);
  // deposits + earnings - payments, in nRLC.
  uint64_t balance(const crypto::Address& account);

  // ---- writers: the caller holds the directory's WriteGuard and has checked the rules on a fresh view ----
  void write_published(const SignedOrder& order);
  // Does nothing if the order is already closed.
  void write_closed(const SignedOrder& order, const crypto::Address& by);
  void write_task(const TaskFile& task);
  void write_deposit(const crypto::Address& account, uint64_t amount);

 private:
  struct AccountTotals {
    crypto::Uint256 deposits;
    crypto::Uint256 earned;
    crypto::Uint256 paid;
    std::set<std::string> deposit_files;  // already counted
  };

  // Parses the files of grants/ and tasks/ not seen yet.
  void refresh() PFS_REQUIRES(mutex_);
  void refresh_deposits(const crypto::Address& account) PFS_REQUIRES(mutex_);
  std::optional<Order> make_order(const OrderFile& file) const;
  uint64_t next_sequence() const PFS_REQUIRES(mutex_);

  std::shared_ptr<Directory> dir_;
  Mutex mutex_;
  std::set<std::string> seen_ PFS_GUARDED_BY(mutex_);            // file names of grants/ and tasks/ already parsed
  std::map<Hash32, Order> orders_ PFS_GUARDED_BY(mutex_);        // by order hash (uses left 0: see uses_)
  std::map<Hash32, uint64_t> uses_ PFS_GUARDED_BY(mutex_);       // accesses consumed, by order hash
  std::map<Hash32, uint64_t> bulk_uses_ PFS_GUARDED_BY(mutex_);  // of which by bulk tasks
  std::map<crypto::Address, AccountTotals> accounts_ PFS_GUARDED_BY(mutex_);
};

}  // namespace pfs::network::local
