// The file system's core: the tree of SPEC.md §2 and its rules, in terms of inodes, with no knowledge of FUSE
// (src/fuse only marshals requests into these calls). Every refusal is a pfs::Error whose errno the adapter
// returns as is; anything else is a fault it reports as EIO.
//
//   /                      root: one directory per protected data the wallet owns
//   /NAME/                 a protected data
//   /NAME/FILE, DIR/FILE   fields and nested objects
//
// Locking: one reader/writer lock guards the tree (names, attributes, protected-data states). Field contents have
// their own locks inside the content store. Lock order: tree lock, then a content lock; never the reverse.
// Attribute lookups that need no state (security.*, system.*) are answered before any lock is taken.
#pragma once
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "protectedfs/core/persistence.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::core {

constexpr uint64_t kRootIno = 1;

// Where field bytes live (the encrypted staging store in the daemon; memory in tests). Thread-safe.
class FieldContents {
 public:
  virtual ~FieldContents() = default;
  virtual void create(uint64_t ino) = 0;
  virtual std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) = 0;
  virtual void write(uint64_t ino, uint64_t offset, ByteView data) = 0;
  virtual void truncate(uint64_t ino, uint64_t size) = 0;
  virtual void sync(uint64_t ino) = 0;  // durable when it returns
  virtual void remove(uint64_t ino) = 0;
};

enum class NodeKind { Root, Data, Dir, Field };

struct Attributes {
  uint64_t ino = 0;
  NodeKind kind = NodeKind::Field;
  uint32_t mode = 0;  // permission bits only
  uint64_t size = 0;
  uint32_t nlink = 1;
  timespec mtime{};
  timespec ctime{};
  uid_t uid = 0;
  gid_t gid = 0;
};

struct DirEntry {
  std::string name;
  uint64_t ino;
  NodeKind kind;
};

// What the publisher and the network know of one protected data, shown by its attributes (SPEC.md §3).
struct DataInfo {
  std::string status = "draft";  // draft, pending, publishing STEP N%, published, failed: …
  std::string address, owner, schema, multiaddr, checksum, tx, created;
  std::string versions = "[]";   // JSON list of earlier versions
};

// A protected data at one moment, for publishing: its nested objects and fields depth first, in schema order
// (an object before its members), with what to read.
struct FieldSnapshot {
  std::vector<std::string> keys;      // the key path, e.g. {"contact", "phone"}
  bool directory = false;             // a nested object
  uint64_t ino = 0;
  uint64_t size = 0;
  std::optional<std::string> type;    // user.protected.type, if set
};
struct DataSnapshot {
  std::string name;
  std::vector<FieldSnapshot> entries;
  bool has_fields() const {
    for (const auto& e : entries)
      if (!e.directory) return true;
    return false;
  }
};

// Told when a protected data changed (a field written, renamed, removed, retyped): the publisher's cue.
using ChangeListener = std::function<void(uint64_t data_ino, const std::string& data_name)>;

class Filesystem {
 public:
  // Loads the tree the store holds (an empty store: a new mount with only the root).
  Filesystem(FieldContents& contents, TreeStore& store, uid_t owner_uid, gid_t owner_gid);
  ~Filesystem();

  void set_change_listener(ChangeListener listener);
  // Read-only attributes of the mount root (user.protected.wallet, .network, .queue), computed on demand.
  void set_root_attributes(std::function<std::map<std::string, std::string>()> provider);

  // For the publisher.
  DataSnapshot snapshot(uint64_t data_ino);
  void update_data(uint64_t data_ino, const std::function<void(DataInfo&)>& change);
  DataInfo data_info(uint64_t data_ino);

  Attributes lookup(uint64_t parent, const std::string& name);
  Attributes getattr(uint64_t ino);
  std::vector<DirEntry> readdir(uint64_t ino);

  Attributes mkdir(uint64_t parent, const std::string& name, uint32_t mode);
  Attributes create(uint64_t parent, const std::string& name, uint32_t mode);
  void unlink(uint64_t parent, const std::string& name);
  void rmdir(uint64_t parent, const std::string& name);
  void rename(uint64_t parent, const std::string& name, uint64_t new_parent, const std::string& new_name,
              unsigned int flags);

  void open(uint64_t ino, int flags);  // checks the node is a field (EISDIR otherwise); O_TRUNC truncates
  std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out);
  std::size_t write(uint64_t ino, uint64_t offset, ByteView data);
  // close(2): nothing to wait for. Every write has already reached the kernel (staged blocks by pwrite, tree
  // changes in the metadata's write-ahead log), so a crash or kill -9 of the daemon loses nothing once the write
  // returned; syncing here would cost ~4 ms of journal commits per file and cap copies at ~250 files/s.
  void flush(uint64_t ino);
  // fsync(2): the field's bytes and the whole tree are on disk when it returns (power loss included).
  void fsync(uint64_t ino);

  struct SetAttr {
    std::optional<uint64_t> size;
    std::optional<uint32_t> mode;
    std::optional<timespec> mtime;
    std::optional<uid_t> uid;
    std::optional<gid_t> gid;
  };
  Attributes setattr(uint64_t ino, const SetAttr& change);

  std::string getxattr(uint64_t ino, const std::string& name);
  std::vector<std::string> listxattr(uint64_t ino);
  void setxattr(uint64_t ino, const std::string& name, const std::string& value, int flags);
  void removexattr(uint64_t ino, const std::string& name);

 private:
  struct Node;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pfs::core
