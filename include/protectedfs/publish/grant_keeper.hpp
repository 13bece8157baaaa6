// Makes the network's orders follow what the tree says of a protected data's grants (SPEC.md §3):
//   - every grant has an open order, signed by the wallet (EIP-712, PROTOCOL.md §4), for the newest version;
//   - every other order this lineage issued is closed (a grant removed or replaced, an older version's order);
//   - a transfer (user.protected.owner) gives every version to the new owner, then the folder leaves the mount.
// Each step is recorded in the tree before the next: an order is kept as "issuing" before it is published, so a
// crash or a network failure never leaves an order the tree does not know of, and a retry looks it up by hash and
// publishes the same signed order again instead of a second one. Replacing a grant closes the old order before the
// new one is issued (the grant book keeps one open order per dataset, app and requester). Every network call is
// idempotent in effect, so the whole pass can be retried; an order is shown open only once the book holds it.
#pragma once
#include <cstdint>
#include <vector>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::publish {

// The grant book's two refusals of an order (both EEXIST on the network), told apart by looking the order up: the
// order itself is already known (published earlier, its answer lost: success, unless it was closed), or another
// open order holds the same dataset, app and requester (a conflict: never success).
struct OrderClosed : Error {
  using Error::Error;
};
struct OrderConflict : Error {
  using Error::Error;
};
// Publishes a signed order; an order the book already holds open is success. Throws OrderClosed / OrderConflict
// for the refusals above, what the network throws otherwise.
void publish_order(network::GrantBook& book, const crypto::PrivateKey& wallet, const network::SignedOrder& order);

class GrantKeeper {
 public:
  GrantKeeper(core::Filesystem& fs, network::Network& network, const crypto::PrivateKey& wallet)
      : fs_(fs), network_(network), wallet_(wallet) {}

  // One pass over one protected data; throws what the network throws (the publisher retries with backoff).
  void reconcile(uint64_t data_ino);
  // Closes the orders still open among these (a removed folder's): what can't be closed throws.
  void revoke_all(const std::vector<core::IssuedOrder>& orders);
  // Refreshes the cached accesses and remaining counts of a data's open orders from the grant book.
  void refresh_usage(uint64_t data_ino);

 private:
  void transfer(uint64_t data_ino, const core::DataInfo& info);
  void issue(uint64_t data_ino, const core::DataInfo& info, const core::Grant& grant);
  // Closes the live orders no grant carries, those of `dataset` only (or all of them when it is empty).
  void close_superseded(uint64_t data_ino, const std::string& dataset);
  void close(uint64_t data_ino, const core::IssuedOrder& order);

  core::Filesystem& fs_;
  network::Network& network_;
  const crypto::PrivateKey& wallet_;
};

}  // namespace pfs::publish
