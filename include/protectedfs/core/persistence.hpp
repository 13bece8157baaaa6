// What the core and the publisher keep across restarts, as narrow interfaces (RocksDB implements them in
// src/cache; tests use memory). Writes are cheap and not synced one by one; sync() makes everything written so far
// durable, and the file system calls it at fsync/close boundaries (SPEC.md §5).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protectedfs/util/bytes.hpp"

namespace pfs::core {

// One name of a node: the folder it is in and its name there.
struct NodeName {
  uint64_t parent = 0;
  std::string name;
  bool operator==(const NodeName&) const = default;
};

// One node of the tree as stored: enough to rebuild the tree at the next mount.
struct NodeRecord {
  uint64_t ino = 0;
  uint64_t parent = 0;
  std::string name;
  int kind = 0;       // NodeKind
  uint32_t mode = 0;  // with the file type bits for Special nodes (S_IFLNK…)
  uint64_t size = 0;
  int64_t atime_ns = 0;  // 0 in records written before atimes were kept: the mtime is shown
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<std::string> type;            // user.protected.type
  std::map<std::string, std::string> xattrs;  // other user.* attributes
  std::string data_info;                      // Data nodes: DataInfo as JSON
  std::string origin;                         // Field nodes not held locally: their PublishedLeaf as JSON
  std::string target;                         // symlinks: the target
  uint64_t rdev = 0;                          // device nodes: the device
  std::vector<NodeName> links;                // hard links: the node's other names (`parent`, `name`: its first)
};

class TreeStore {
 public:
  virtual ~TreeStore() = default;
  virtual std::vector<NodeRecord> load() = 0;  // every stored node, any order
  virtual void put(const NodeRecord& node) = 0;
  virtual void erase(uint64_t ino) = 0;
  // Several records put and erased as one write: after a crash, all of them or none (an entry added or removed
  // with its folder's new mtime and ctime).
  virtual void write(std::span<const NodeRecord> puts, std::span<const uint64_t> erases) = 0;
  virtual void sync() = 0;
};

// The data keys of published versions, by dataset address: the owner's only copy (SPEC.md §3: a secret can't be
// read back from the secret service). Encrypted at rest.
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual void put(const std::string& dataset_address, const std::string& key_base64) = 0;  // durable on return
  virtual std::optional<std::string> get(const std::string& dataset_address) = 0;
};

// Publishes in flight, by protected data: what has been done so far, so a restart resumes without registering
// the same version twice. The entry's value is the publisher's own JSON (it may hold a data key: encrypted at
// rest).
class PublishJournal {
 public:
  virtual ~PublishJournal() = default;
  virtual void put(uint64_t data_ino, const std::string& entry) = 0;  // durable on return
  virtual void erase(uint64_t data_ino) = 0;
  virtual std::optional<std::string> get(uint64_t data_ino) = 0;
  virtual std::map<uint64_t, std::string> load() = 0;
};

}  // namespace pfs::core
