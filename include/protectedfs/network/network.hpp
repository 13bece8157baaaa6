// What varies between networks, as narrow interfaces: where encrypted content is stored, where datasets are
// registered, where data keys are handed over, where grants (signed DatasetOrders) are kept and consumed, and how a
// consumer computes on a dataset. One implementation per network (the embedded `local` one in src/network/local,
// iExec's over HTTP in src/network/iexec); one contract test suite runs against each
// (tests/unit/network/contract_*.cpp).
//
// Every method may block on I/O and is safe to call from several threads. Errors are pfs::Error with an errno:
// EEXIST for what may exist only once (the same registration, a second secret), EACCES for a signer who is not
// the owner, ENOENT for what is not there, EAGAIN / EIO for a network that cannot answer now (callers retry).
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/eip712.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network {

// Content-addressed storage of protected files (IPFS on iExec): the address is the CIDv0 of the bytes.
class ContentStore {
 public:
  // An upload receives the encrypted stream as it is produced (one pass, any size) and becomes visible only when
  // committed; an upload destroyed without commit leaves nothing behind.
  class Upload {
   public:
    virtual ~Upload() = default;
    virtual void write(ByteView data) = 0;
    // Returns the CIDv0 the store computed for the bytes written.
    virtual std::string commit() = 0;
    // Commits bytes whose CIDv0 the writer computed as they streamed (pipeline::protect does): a store that hashes
    // them only to name them (the local one) takes it instead of a second pass over them; the others check it
    // against their own (EIO if it differs).
    virtual std::string commit_as(const std::string& cid) {
      if (const std::string stored = commit(); stored != cid)
        throw Error(EIO, "storage computed CID " + stored + " but the writer " + cid);
      return cid;
    }
  };

  virtual ~ContentStore() = default;
  virtual std::unique_ptr<Upload> begin_upload() = 0;
  virtual bool has(const std::string& cid) = 0;
  // The stored bytes, readable at any offset (ENOENT if the store does not hold them).
  virtual std::shared_ptr<const RandomAccessSource> open(const std::string& cid) = 0;
  // Lets go of content this wallet uploaded and never registered (an orphan of a publish that was superseded or
  // whose folder was removed): the local store deletes it, IPFS unpins it (the node's garbage collection frees it).
  // Content not held is no error, so a redone removal is harmless.
  virtual void remove(const std::string& cid) = 0;
  // Whether an upload may stay open, idle, for as long as a file is being written (publish/streaming_contents.hpp
  // zips large fields while they are written). Not over HTTP: an IPFS node would time the request out.
  virtual bool keeps_uploads_open() const { return false; }
};

// A registered dataset, as its on-chain record and DatasetSchema log give it.
struct DatasetRecord {
  crypto::Address address;
  crypto::Address owner;
  std::string name;
  Bytes multiaddr;       // as stored on chain (binary /p2p/<cid>, or a URL's UTF-8 bytes)
  Hash32 checksum{};     // SHA-256 of the encrypted file
  std::string schema;    // compact JSON, exactly as registered
  uint64_t created = 0;  // unix seconds of the registration
  std::string tx;        // "0x…" hash of the transaction (or of the local record) that registered it
};

struct Registration {
  std::string name;
  Bytes multiaddr;
  Hash32 checksum{};
  std::string schema;
};

class Registry {
 public:
  virtual ~Registry() = default;
  // Registers a dataset owned by the signer. The same (owner, name, multiaddr, checksum) twice is EEXIST, as the
  // chain's CREATE2 collision is; find_registration() lets a retried publish see that its first try landed.
  virtual DatasetRecord register_dataset(const crypto::PrivateKey& owner, const Registration& registration) = 0;
  virtual std::optional<DatasetRecord> find(const crypto::Address& dataset) = 0;
  virtual std::optional<DatasetRecord> find_registration(const crypto::Address& owner,
                                                         const Registration& registration) = 0;
  // Where register_dataset() of this registration by `owner` lands (or landed), known before it is sent: the
  // publisher stores the data key under it first, so no reader of the wallet ever lists a version it can't decrypt.
  virtual crypto::Address predicted_address(const crypto::Address& owner, const Registration& registration) = 0;
  // Every dataset the address owns now, oldest first.
  virtual std::vector<DatasetRecord> list_by_owner(const crypto::Address& owner) = 0;
  // Every dataset whose schema has all these `path:type` entries (PROTOCOL.md §1.2), optionally of one owner.
  virtual std::vector<DatasetRecord> find_by_schema(const std::vector<std::string>& required,
                                                    const std::optional<crypto::Address>& owner) = 0;
  // Gives the dataset to another owner (DatasetRegistry.safeTransferFrom). EACCES unless the signer owns it now,
  // ENOENT for an unknown dataset, EINVAL for the zero address.
  virtual void transfer(const crypto::PrivateKey& owner, const crypto::Address& dataset,
                        const crypto::Address& new_owner) = 0;
};

// iExec's Secret Management Service (PROTOCOL.md §3): a dataset's key, pushed once by the dataset's owner with a
// signed challenge; it can never be read back or replaced (the owner keeps a local copy).
class SecretStore {
 public:
  virtual ~SecretStore() = default;
  // EACCES when the signer is not the dataset's owner, EEXIST when a secret is already stored, EINVAL over 4096
  // bytes.
  virtual void push(const crypto::PrivateKey& owner, const crypto::Address& dataset, const std::string& secret) = 0;
  virtual bool exists(const crypto::Address& dataset) = 0;
  // The requester's result-encryption public key (PEM, SubjectPublicKeyInfo), stored as the web2 secret
  // "iexec-result-encryption-public-key" of its wallet as the SDK's result.pushResultEncryptionKey does (replaced
  // when pushed again, like its forceUpdate); the post-compute encrypts results for it. ENOTSUP where unsupported.
  virtual void push_result_key(const crypto::PrivateKey& requester, const std::string& public_key_pem);
  virtual bool result_key_exists(const crypto::Address& requester);
};

// A grant as PoCo knows it (PROTOCOL.md §4): a DatasetOrder signed by the dataset's owner in the network's EIP-712
// domain, identified by its order hash.
struct SignedOrder {
  crypto::DatasetOrder order;
  std::array<uint8_t, 65> signature{};
  Hash32 hash{};  // the order hash in GrantBook::domain()
};

// What every grant book checks before it takes a signed order, in one place (the book then checks that the signer
// owns the dataset, which only it can look up): the order names its app (EINVAL: apprestrict 0x0 would let any app
// read the data), allows at least one access (EINVAL for volume 0), `hash` is its hash in `domain` (EINVAL), and its
// signature recovers the publishing wallet (EACCES otherwise, or when it recovers no key). Returns the signer.
crypto::Address check_signed_order(const SignedOrder& order, const crypto::Eip712Domain& domain,
                                   const crypto::Address& publisher);

// What is known of one order: PoCo's `consumed` (hub.viewConsumed: accesses used, or the whole volume once closed),
// whether it was closed by its owner, and how many accesses runs really used (`uses`, which closing does not
// change: usage and earnings are uses × datasetprice).
struct OrderState {
  SignedOrder order;
  uint64_t consumed = 0;
  bool closed = false;
  uint64_t uses = 0;
  uint64_t remaining() const;  // volume - consumed (0 once closed)
};

// Where grants live: the market API plus the hub on iExec, the local grant book on `local`.
class GrantBook {
 public:
  virtual ~GrantBook() = default;
  // The domain orders are signed in: {"iExecODB", "5.0.0", chain id, hub}.
  virtual crypto::Eip712Domain domain() = 0;
  // Publishes an order signed by the dataset's current owner, whose wallet `owner` is (iExec's market accepts an
  // order only from its signer, logged in with a signed challenge): ENOENT for an unknown dataset; EACCES for a
  // signature that is not the owner's (or recovers no key) or an `owner` that is not its signer; EINVAL for a zero
  // app restriction, a zero volume, or an order hash that is not the order's in domain(); EEXIST for an order already
  // known (published or closed) or a second open order with the same dataset, app and requester restriction; EDQUOT
  // when the owner already has 50 open orders.
  virtual void publish(const crypto::PrivateKey& owner, const SignedOrder& order) = 0;
  // The open orders of a dataset, oldest first: not closed, remaining > 0, and signed by the dataset's current owner
  // (after a transfer the previous owner's orders can no longer match, as PoCo checks the signature against the
  // owner at match time, so they are not open).
  virtual std::vector<OrderState> open_orders(const crypto::Address& dataset) = 0;
  // Any order ever published or closed, open or not (nullopt if unknown).
  virtual std::optional<OrderState> order(const Hash32& order_hash) = 0;
  // Every order of a dataset the book can list, oldest first: on `local` all of them (open, used up, closed); on
  // iExec the market lists open orders only (the others are known by their hash: order()).
  virtual std::vector<OrderState> orders(const crypto::Address& dataset) = 0;
  // Closes an order (hub.manageDatasetOrder CLOSE): from then on nothing can consume it. EACCES unless the signer
  // owns the order's dataset now, ENOENT for an unknown dataset, EINVAL if order.hash is not the order's; closing a
  // closed order is not an error.
  // Like the hub, it also closes an order that was never published (it is then known, closed).
  virtual void revoke(const crypto::PrivateKey& owner, const SignedOrder& order) = 0;
};

// What the local worker allows one iApp run (man/protectedfs.1, "iApp isolation"): past a limit the app is
// stopped and its task fails naming the limit. memory_mib bounds all its processes (a cgroup), else each one's data
// (RLIMIT_DATA); processes counts processes and threads at once; output_mib bounds $IEXEC_OUT as a whole, each file
// the app writes, and its /tmp. The iExec profile's workers apply their own.
struct AppLimits {
  uint64_t wall_seconds = 600;
  uint64_t cpu_seconds = 600;
  uint64_t memory_mib = 2048;
  uint64_t processes = 256;
  uint64_t output_mib = 256;
};

// What a consumer asks for (SPEC.md §1 `protectedfs run`).
struct RunRequest {
  crypto::Address dataset;
  crypto::Address app;
  std::string args;                   // the iApp's arguments (IEXEC_ARGS; split into argv like a shell's words)
  std::filesystem::path out;          // where the result ($IEXEC_OUT) is delivered: absent or an empty folder
  std::optional<uint64_t> max_price;  // nRLC per access the requester accepts (default: what the balance covers)
  // iexec_result_encryption: the result is encrypted for the key the requester pushed (SecretStore::push_result_key)
  // and stored by the network; `out` is then left alone: the caller fetches (Compute::result) and decrypts it.
  bool encrypt_result = false;
  AppLimits limits;                              // the local worker's limits for this run
  std::vector<std::filesystem::path> read_only;  // host files or folders the local worker lets the app read
};

// Bulk processing (iExec's prepareDatasetBulk + one request order with params.bulk_cid): many datasets, each through
// a bulk grant (free, unlimited: core::is_bulk), split into slices of at most max_per_task, one task per slice.
struct BulkRunRequest {
  crypto::Address app;
  std::vector<SignedOrder> orders;  // one bulk order per dataset, processed in this order
  std::size_t max_per_task = 100;   // the SDK's MAX_DATASET_PER_TASK
  std::string args;
  std::filesystem::path out;  // one folder per task below it, named by the task id (unless encrypt_result)
  bool encrypt_result = false;
  AppLimits limits;                              // the local worker's limits for each task
  std::vector<std::filesystem::path> read_only;  // host files or folders the local worker lets the app read
};

struct BulkTask {
  std::string task;  // "0x…"
  std::vector<crypto::Address> datasets;
  std::string error;  // "" when the task completed; else why it failed (the other tasks still run)
};

struct BulkRunResult {
  std::string deal;  // "0x…"
  std::vector<BulkTask> tasks;
  // false: the deal is matched and its tasks run on (iExec): no result is in `out`, Compute::result fetches each.
  bool delivered = true;
};

// iExec's DATASET_INFINITE_VOLUME: the volume of a bulk order (DataProtector's grantAccess with allowBulk).
inline constexpr uint64_t kBulkVolume = (uint64_t{1} << 53) - 1;
// A free order of kBulkVolume: what bulk processing can use (the SDK's signedDatasetorderBulkSchema).
bool is_bulk_order(const crypto::DatasetOrder& order);

// The bulk orders open to `requester` for `app`, one per dataset in the datasets' order (among several, one
// restricted to the requester before a public one, then the oldest). A dataset without one is EACCES naming it,
// or left out when `skip_missing` (data found by schema, of which only some were granted).
std::vector<SignedOrder> gather_bulk_orders(GrantBook& book, const std::vector<crypto::Address>& datasets,
                                            const crypto::Address& app, const crypto::Address& requester,
                                            bool skip_missing);

// The orders split as iExec's prepareDatasetBulk splits them: consecutive slices of at most max_per_task.
std::vector<std::vector<SignedOrder>> slice_bulk_orders(const std::vector<SignedOrder>& orders,
                                                        std::size_t max_per_task);

// A completed run: the app exited 0 and wrote computed.json, and its $IEXEC_OUT is at RunRequest::out.
struct RunResult {
  Hash32 order_hash{};  // the grant that was consumed
  std::string task;     // "0x…" task id
  uint64_t price = 0;   // nRLC paid for the access
  // false: matched, but run returned before the task completed (iExec with task_timeout 0) and nothing is in
  // RunRequest::out; Compute::result fetches the result once it has.
  bool delivered = true;
};

struct AppRecord {
  crypto::Address address;
  crypto::Address owner;
  std::string name;
  Hash32 checksum{};  // SHA-256 of the executable
};

// Computing on protected data: iApps, the requester's account, and runs that consume grants.
class Compute {
 public:
  virtual ~Compute() = default;
  // Registers an iApp (on `local`: its address derives from its content checksum; registering the same content again
  // returns the same address). ENOTSUP where apps are registered by other means.
  virtual AppRecord register_app(const crypto::PrivateKey& owner, const std::filesystem::path& executable,
                                 const std::string& name) = 0;
  virtual std::optional<AppRecord> find_app(const crypto::Address& app) = 0;
  // The account's balance in nRLC (hub.viewAccount's stake on iExec).
  virtual uint64_t balance(const crypto::Address& account) = 0;
  // Adds nRLC to an account: the local faucet; ENOTSUP on real networks.
  virtual void fund(const crypto::Address& account, uint64_t amount) = 0;
  // Finds an open grant matching (dataset, app, requester or anyone) with remaining volume and an acceptable price,
  // pays it, consumes one access, runs the app and delivers its result. Refusals consume nothing: ENOENT no such
  // dataset/app, EACCES no matching open grant (the message says why the dataset's grants do not match), EDQUOT
  // balance too low, EEXIST an `out` that exists and is not an empty folder. Once the access is paid, a failing app
  // (non-zero exit, no computed.json) is EIO naming the task: the access and the price stay spent.
  virtual RunResult run(const crypto::PrivateKey& requester, const RunRequest& request) = 0;
  // One bulk request: every order is checked (open, bulk, signed by its dataset's owner now, for this app and this
  // requester or anyone) before anything runs: EACCES naming the first that is not, EINVAL for no order or a
  // max_per_task of 0 or over 100. Bulk orders are never consumed; each processed dataset counts as one use of its
  // order in its owner's usage. A failing task does not stop the others (its error is in the result).
  virtual BulkRunResult run_bulk(const crypto::PrivateKey& requester, const BulkRunRequest& request);
  // The result of a finished task as the network stores it (iExec: the zip the post-compute uploaded): the plain
  // result zip, or the encrypted envelope (aes-key.rsa + iexec_out.zip.aes) for an encrypted run. ENOENT unknown.
  virtual Bytes result(const std::string& task);
};

struct Network {
  std::string name;  // "local", "arbitrum-sepolia-testnet", a profile name
  uint64_t chain_id = 0;
  // The TEE tag grants carry (PROTOCOL.md §4): 0x…09 (TEE + TDX) on the current stack, 0x…03 on Bellecour.
  Hash32 order_tag = [] {
    Hash32 tag{};
    tag[31] = 0x09;
    return tag;
  }();
  std::unique_ptr<ContentStore> storage;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<SecretStore> secrets;
  std::unique_ptr<GrantBook> grants;
  std::unique_ptr<Compute> compute;
  // Where a run on this machine leaves a file as soon as its access is accounted (the local network's tasks/), so
  // that a mount can refresh usage at once rather than at its next tree-sync pass; empty where runs are accounted
  // elsewhere (iExec: the chain, read by the tree sync).
  std::filesystem::path accounted_runs;
};

}  // namespace pfs::network
