// The local metadata cache: the tree, the data keys and the publish journal in ONE RocksDB database under a
// directory of the user's, so that a tree change and a journal entry can be committed in one write batch later.
//
// Key layout (a one-letter kind, '/', then the id):
//   n/<ino: 8 bytes big-endian>  -> sealed(NodeRecord, node_codec.hpp): original file names and local user.*
//                                   values are the user's data (names of medical files are telling), so the disk
//                                   holds them encrypted, as the staged bytes are
//   m/tree-sealed                -> "1": the n/ records are sealed (a cache from before is sealed when opened)
//   m/key-v2                     -> "1": every record is sealed with the v2 key (state_keys.hpp: a cache sealed
//                                   with the v1 key is re-sealed, in one synced batch, when opened)
//   k/<dataset address, lower>   -> sealed(data key, base64)
//   j/<ino: 8 bytes big-endian>  -> sealed(publisher's journal entry; it may hold a data key)
// sealed(v) = 0x01 | 24-byte random nonce | XChaCha20-Poly1305(v) with the full record key as associated data, so a
// value copied under another key, tampered, or read with another master key fails (EIO naming the record).
//
// Durability: tree puts/erases are written to the WAL without fsync (microseconds; they survive the daemon being
// killed as soon as put returns, since the WAL write reached the kernel); TreeStore::sync() fsyncs the WAL so
// everything written so far also survives a power loss. Key and journal writes are fsynced before returning.
//
// A full disk is survivable: after a failed write the cache is read-only (writes fail at once with ENOSPC, or EIO
// for other faults; reads go on) until space is back, then writes resume by themselves (src/cache/guarded_db.hpp).
// A cache that cannot be opened for lack of space opens read-only in that state.
//
// One process at a time: RocksDB's LOCK file; a second open (in this process or another) throws EBUSY.
// The three stores may be used from several threads at once (RocksDB orders the writes; they hold no state).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "protectedfs/core/persistence.hpp"

namespace pfs::cache {

using MasterKey = std::array<uint8_t, 32>;
// Gives the key that state sealed before the v2 derivation used (state_keys.hpp). Called only while opening state
// that still holds records sealed with it, which are then re-sealed with the current key: a migrated cache or vault
// never asks again. Empty: no migration (records under the old key are left, and fail to read).
using LegacyKey = std::function<MasterKey()>;
struct DbHooks;  // test seams: src/cache/guarded_db.hpp

class MetadataDb {
 public:
  // Opens (creating it, mode 0700, if missing) the cache at `dir`. Throws pfs::Error: EBUSY when another
  // protectedfs holds it, EIO/ENOSPC for storage errors, the mkdir errno when the directory can't be created.
  MetadataDb(const std::string& dir, const MasterKey& master_key, const LegacyKey& legacy_key = {});
  MetadataDb(const std::string& dir, const MasterKey& master_key, const DbHooks& hooks,
             const LegacyKey& legacy_key = {});
  ~MetadataDb();  // fsyncs the WAL (best effort, never after a failed write) and closes
  MetadataDb(const MetadataDb&) = delete;
  MetadataDb& operator=(const MetadataDb&) = delete;

  core::TreeStore& tree();
  core::KeyStore& keys();
  core::PublishJournal& journal();

  const std::string& dir() const;
  // Empty while writes go through; else one line saying why the cache is read-only and when that ends.
  std::string trouble() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pfs::cache
