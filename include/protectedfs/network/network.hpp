// What varies between networks, as narrow interfaces: where encrypted content is stored, where datasets are
// registered, and where data keys are handed over. One implementation per network (the embedded `local` one in
// src/network/local, iExec's over HTTP later); one contract test suite runs against each
// (tests/unit/network/contract_*.cpp).
//
// Every method may block on I/O and is safe to call from several threads. Errors are pfs::Error with an errno:
// EEXIST for what may exist only once (the same registration, a second secret), EACCES for a signer who is not
// the owner, ENOENT for what is not there, EAGAIN / EIO for a network that cannot answer now (callers retry).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/util/bytes.hpp"
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
  };

  virtual ~ContentStore() = default;
  virtual std::unique_ptr<Upload> begin_upload() = 0;
  virtual bool has(const std::string& cid) = 0;
  // The stored bytes, readable at any offset (ENOENT if the store does not hold them).
  virtual std::shared_ptr<const RandomAccessSource> open(const std::string& cid) = 0;
};

// A registered dataset, as its on-chain record and DatasetSchema log give it.
struct DatasetRecord {
  crypto::Address address;
  crypto::Address owner;
  std::string name;
  Bytes multiaddr;        // as stored on chain (binary /p2p/<cid>, or a URL's UTF-8 bytes)
  Hash32 checksum{};      // SHA-256 of the encrypted file
  std::string schema;     // compact JSON, exactly as registered
  uint64_t created = 0;   // unix seconds of the registration
  std::string tx;         // "0x…" hash of the transaction (or of the local record) that registered it
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
  // Every dataset the address owns now, oldest first.
  virtual std::vector<DatasetRecord> list_by_owner(const crypto::Address& owner) = 0;
  // Every dataset whose schema has all these `path:type` entries (PROTOCOL.md §1.2), optionally of one owner.
  virtual std::vector<DatasetRecord> find_by_schema(const std::vector<std::string>& required,
                                                    const std::optional<crypto::Address>& owner) = 0;
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
};

struct Network {
  std::string name;       // "local", "arbitrum-sepolia-testnet", a profile name
  uint64_t chain_id = 0;
  std::unique_ptr<ContentStore> storage;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<SecretStore> secrets;
};

}  // namespace pfs::network
