// Reads published versions back from the network's storage, as the tree shows them: the zip's folders and fields
// (SPEC.md §2 names for names not known here), and each leaf's bytes as a file gives them: a borsh string as its
// text plus a newline, a bool/f64/i128 as its text plus a newline, binary types as they are (the reverse of what
// publishing does, so an unchanged field publishes again to the same value).
//
// A version is opened once (decrypted at random offsets with the key held locally; its whole encrypted file is
// checked against the registered checksum, as iExec's pre-compute does, before its first content is served, so
// listing a large dataset reads only its zip's central directory) and kept among the few most recently used.
// Without the key: EACCES (SPEC.md §2); with a damaged file: EBADMSG; any other failure of the network (content
// missing from storage, a peer down): EIO, never ENOENT (logged by the caller, once).
#pragma once
#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/core/persistence.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::remote {

class PublishedReader {
 public:
  PublishedReader(network::Network& network, core::KeyStore& keys, std::size_t max_open = 8);
  ~PublishedReader();

  // The folders and fields of a version, an object before its members, in schema order, their sizes read from the
  // zip. EACCES when its key is not held here: the tree sync then lists it from its schema, its status says why,
  // and every pass tries again (the key may come: another mount of the wallet stores it).
  std::vector<core::AdoptedEntry> entries(const network::DatasetRecord& record);
  // The same names from the registered schema alone, for a version whose content cannot be fetched (missing from
  // storage, unreadable): the fields' sizes are unknown (0, size_unknown) until an open fetches them.
  std::vector<core::AdoptedEntry> schema_entries(const network::DatasetRecord& record);

  uint64_t size(const core::PublishedLeaf& leaf);
  std::size_t read(const core::PublishedLeaf& leaf, uint64_t offset, std::span<uint8_t> out);

 private:
  struct Version;
  std::shared_ptr<Version> open(const std::string& dataset);
  // The names of the schema; the sizes read from `version` if given.
  std::vector<core::AdoptedEntry> listing(const network::DatasetRecord& record, const Version* version);
  std::size_t read_unguarded(const core::PublishedLeaf& leaf, uint64_t offset, std::span<uint8_t> out);

  network::Network& network_;
  core::KeyStore& keys_;
  const std::size_t max_open_;
  Mutex mutex_;  // never held while a version is fetched or read
  std::list<std::pair<std::string, std::shared_ptr<Version>>> recent_ PFS_GUARDED_BY(mutex_);
};

}  // namespace pfs::remote
