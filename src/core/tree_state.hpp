// The inode table shared by the core's files (internal to src/core): each node of the tree as held in memory and
// the state behind Filesystem (the tree lock, the table, the store the nodes are written through). The files that
// implement Filesystem, one job each:
//   tree_state.cpp        the table loaded from the store, and the codec between a node and its stored record
//   posix_operations.cpp  lookup, create, unlink, read, write, setattr… (what the kernel asks for)
//   ownership.cpp         POSIX's multi-user rules: new nodes' owner, chown, chmod, times, setuid/setgid, sticky
//   attribute_policy.cpp  the extended attributes: SPEC.md §3's user.protected.* and local user.* ones
//   special_files.cpp     symlinks, FIFOs, sockets and device nodes, kept local-only; user.protected.local's listing
//   hard_links.cpp        link, a name removed while the node keeps others, the names of a node
//   rename.cpp            rename: over a file or an empty folder, RENAME_NOREPLACE, RENAME_EXCHANGE
//   tree_port.cpp         what the publisher and the tree sync use (snapshots, data infos, adopt, forget)
#pragma once
#include <time.h>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "data_info.hpp"
#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/format/field_key.hpp"
#include "protectedfs/format/field_type.hpp"
#include "protectedfs/format/schema.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/mutex.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {

inline timespec now() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

inline int64_t to_ns(const timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
inline timespec from_ns(int64_t ns) {
  return {static_cast<time_t>(ns / 1000000000LL), static_cast<long>(ns % 1000000000LL)};
}

// ENAMETOOLONG past NAME_MAX, for lookups too: such a name can neither exist nor be cached as absent.
inline void check_name_length(const std::string& name) {
  if (name.size() > 255) throw Error(ENAMETOOLONG, "name longer than 255 bytes");
}

inline void check_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw Error(EINVAL, "invalid name " + quote(name));
  check_name_length(name);
}

struct Filesystem::Node {
  uint64_t ino = 0;
  uint64_t parent = 0;
  uint64_t data = 0;  // the protected data this node belongs to (itself for a Data node, 0 for the root)
  std::string name;
  NodeKind kind = NodeKind::Field;
  uint32_t mode = 0;     // permission bits
  uint32_t special = 0;  // Special nodes: the file type (S_IFLNK…)
  uint64_t size = 0;     // symlinks: the target's length
  std::string target;    // symlinks
  uint64_t rdev = 0;     // device nodes
  timespec atime{}, mtime{}, ctime{};
  uid_t uid = 0;
  gid_t gid = 0;
  std::map<std::string, uint64_t> children;          // by name
  std::unordered_map<std::string, uint64_t> by_key;  // children by field key (local-only names have none)
  std::map<std::string, std::string> xattrs;         // other user.* attributes, kept locally
  std::optional<std::string> type;                   // user.protected.type
  std::optional<PublishedLeaf> origin;               // Field nodes whose bytes are still those of a published leaf
  bool size_unknown = false;     // with an origin listed from the schema alone: `size` is 0 until an open learns it
  DataInfo info;                 // Data nodes only
  EncodedDataInfo encoded_info;  // record_of's encoding of `info`, kept while it is unchanged
  // Unlinked (removed, or renamed over) while the kernel still holds it: out of the tree, parent 0, never part of a
  // protected data again. Its record stays stored only while it is open (the next mount drops such records).
  bool unlinked = false;
  // Hard links (fields and special files only): the node's other names, `parent` and `name` being its first (when
  // that one goes, the next takes its place). All of them are in its one protected data (a link across two is EXDEV).
  std::vector<NodeName> links;

  bool is_directory() const { return kind == NodeKind::Root || kind == NodeKind::Data || kind == NodeKind::Dir; }
  bool transfer_pending() const { return !info.transfer_to.empty(); }
  // Never published: a special file, or a node whose every name starts with '.' (SPEC.md §2).
  bool local_only() const {
    if (kind == NodeKind::Special) return true;
    if (!format::is_local_only(name)) return false;
    for (const NodeName& link : links)
      if (!format::is_local_only(link.name)) return false;
    return true;
  }
};

struct Filesystem::State {
  FieldContents& contents;
  TreeStore& store;
  uid_t uid;
  gid_t gid;
  // The tree lock: the table and every node reached through it (names, attributes, protected-data states), the
  // listeners. The nodes themselves are reached only through the table (node(), child()…, which require the lock),
  // so the analysis checks their access too; a Node& must not outlive the lock it was found under.
  mutable SharedMutex tree;
  std::map<uint64_t, std::unique_ptr<Node>> nodes PFS_GUARDED_BY(tree);
  uint64_t next_ino PFS_GUARDED_BY(tree) = kRootIno + 1;
  DataEvents events PFS_GUARDED_BY(tree);
  std::function<std::map<std::string, std::string>()> root_attributes PFS_GUARDED_BY(tree);

  // What the kernel holds of each node: entries it was given and has not forgotten, and open files. Lookups run
  // under the shared tree lock, so the counts have a mutex of their own, taken inside the tree lock.
  struct KernelRefs {
    uint64_t lookups = 0;
    uint64_t opens = 0;
  };
  Mutex refs_mutex;
  std::unordered_map<uint64_t, KernelRefs> refs PFS_GUARDED_BY(refs_mutex);

  State(FieldContents& c, TreeStore& t, uid_t u, gid_t g) : contents(c), store(t), uid(u), gid(g) {}

  KernelRefs held(uint64_t ino) PFS_EXCLUDES(refs_mutex);
  void hold(uint64_t ino, uint64_t lookups, uint64_t opens) PFS_EXCLUDES(refs_mutex);
  // Fewer references (never below zero); what is left. The entry goes with the last one.
  KernelRefs drop(uint64_t ino, uint64_t lookups, uint64_t opens) PFS_EXCLUDES(refs_mutex);

  // Only the mounting uid acts with the wallet; the modes decide everything else (the kernel checks them).
  void require_mount_owner(const OptionalCaller& caller, const std::string& what) const {
    if (caller && caller->uid != uid)
      throw Error(EACCES, "uid " + std::to_string(caller->uid) + " may not " + what + ": only the mounting uid (" +
                              std::to_string(uid) + ") acts with the wallet");
  }

  // Every change of a node is written through (not synced: flush() syncs at close/fsync boundaries). A node
  // unlinked and no longer open has nothing stored.
  void save(const Node& n) {
    if (n.unlinked && held(n.ino).opens == 0) return;
    store.put(record_of(n));
  }
  // A field listed from its schema alone (its content could not be fetched then) learns its size from the network
  // before it is opened or published: reads then give its bytes, or fail with EIO (the caller logs it, once) while
  // the content still cannot be fetched. Fetched without the tree lock.
  void learn_size(uint64_t ino) PFS_EXCLUDES(tree);
  static NodeRecord record_of(const Node& n);
  // A folder whose entries change: its mtime and ctime (POSIX) are `at`, stored in the same write as the entry
  // change, so a remount shows them too. The record is made before the node changes, so that a failed write
  // leaves the folder as it was.
  static NodeRecord touched_record(const Node& dir, const timespec& at) {
    NodeRecord r = record_of(dir);
    r.mtime_ns = r.ctime_ns = to_ns(at);
    return r;
  }
  static void touch(Node& dir, const timespec& at) { dir.mtime = dir.ctime = at; }
  // One narrow change of a protected data's record, for the publisher's port (a data removed meanwhile is left
  // alone).
  void change_data(uint64_t data_ino, const std::function<void(DataInfo&)>& change) PFS_EXCLUDES(tree);
  static std::unique_ptr<Node> node_of(const NodeRecord& r);

  Node& node(uint64_t ino) PFS_REQUIRES_SHARED(tree) {
    auto it = nodes.find(ino);
    if (it == nodes.end()) throw Error(ENOENT, "no inode " + std::to_string(ino));
    return *it->second;
  }
  // A folder still in the tree (nothing is created in, looked up in or moved into a removed one).
  Node& directory(uint64_t ino) PFS_REQUIRES_SHARED(tree) {
    Node& n = node(ino);
    if (!n.is_directory()) throw Error(ENOTDIR, quote(n.name) + " is not a folder");
    if (n.unlinked) throw Error(ENOENT, quote(n.name) + " was removed");
    return n;
  }
  // A node still in the tree, for what only makes sense there (attributes that publish, the publisher's port).
  Node& linked(uint64_t ino) PFS_REQUIRES_SHARED(tree) {
    Node& n = node(ino);
    if (n.unlinked) throw Error(ENOENT, quote(n.name) + " was removed");
    return n;
  }
  Node* child(const Node& dir, const std::string& name) PFS_REQUIRES_SHARED(tree) {
    auto it = dir.children.find(name);
    return it == dir.children.end() ? nullptr : nodes.at(it->second).get();
  }
  // A new node in `parent`, owned by the caller. Its staged file (make_staged_file: a new field) is made first, then
  // its record stored (with the folder's new times, in one write), then it joins the tree: a failure at any step
  // (ENOSPC…) leaves no node behind and the folder as it was.
  // `shape` fills in what a kind adds (a special file's type, target, device) before the record is made.
  Node& add(Node& parent, const std::string& name, NodeKind kind, uint32_t mode, const OptionalCaller& caller = {},
            bool make_staged_file = false, const std::function<void(Node&)>& shape = {}) PFS_REQUIRES(tree);
  std::size_t open_grants() const PFS_REQUIRES_SHARED(tree) {
    std::size_t count = 0;
    for (const auto& [ino, n] : nodes)
      if (n->kind == NodeKind::Data) count += n->info.grants.size();
    return count;
  }
  // The field key a name maps to inside a protected data (SPEC.md §2), or nothing for local-only names and special
  // files.
  static std::optional<std::string> key_of(const std::string& name, NodeKind kind) {
    if (kind == NodeKind::Special || format::is_local_only(name)) return std::nullopt;
    return kind == NodeKind::Field ? format::file_key(name) : format::directory_key(name);
  }
  // A child joins or leaves its folder's name and key indexes (a lookup by key keeps creates O(log n): copying
  // ten thousand files into one folder must not compare each new name with every other).
  // `name`: the child's name in `dir` (a hard-linked node has several).
  static void link(Node& dir, const std::string& name, const Node& child) {
    dir.children[name] = child.ino;
    if (auto key = key_of(name, child.kind)) dir.by_key[*key] = child.ino;
  }
  static void link(Node& dir, const Node& child) { link(dir, child.name, child); }
  static void unlink_child(Node& dir, const std::string& name, const Node& child) {
    dir.children.erase(name);
    if (auto key = key_of(name, child.kind))
      if (auto it = dir.by_key.find(*key); it != dir.by_key.end() && it->second == child.ino) dir.by_key.erase(it);
  }
  static void unlink_child(Node& dir, const Node& child) { unlink_child(dir, child.name, child); }
  // Two names with the same key in one folder: the second one is refused. The key of `name` itself, or of a name in
  // `leaving` (moved away or given to another node by the same rename), is free.
  void check_key_free(const Node& dir, const std::string& name, NodeKind kind,
                      std::initializer_list<std::string_view> leaving = {}) PFS_REQUIRES_SHARED(tree) {
    if (dir.kind == NodeKind::Root) return;
    auto key = key_of(name, kind);
    if (!key) return;
    auto it = dir.by_key.find(*key);
    if (it == dir.by_key.end()) return;
    const Node& other = *nodes.at(it->second);
    const std::string holder = name_with_key(dir, other, *key);
    if (holder == name || std::find(leaving.begin(), leaving.end(), holder) != leaving.end()) return;
    throw Error(EEXIST, quote(name) + " and " + quote(holder) + " would both be the field '" + *key + "'");
  }
  // Hard links (hard_links.cpp). The name of `child` in `dir` whose key is `key` (one at most: keys are unique in a
  // folder).
  static std::string name_with_key(const Node& dir, const Node& child, const std::string& key);
  // The names of a node, its first one first.
  static std::vector<NodeName> names_of(const Node& n);
  // Rebuilds a stored node's place at mount: each of its names joins its folder's indexes (a name whose folder is
  // gone is dropped).
  void link_stored_names(Node& n) PFS_REQUIRES(tree);
  // unlink(2) of one name: a node with other names keeps them (its link count drops), else the node leaves the tree
  // as by erase(). A name that was published makes its protected data pending.
  void remove_name(Node& dir, const std::string& name, Node& n) PFS_REQUIRES(tree);
  // Every name of `n` but its first leaves its folder (before erase() takes the node out with its first one).
  void drop_other_names(Node& n) PFS_REQUIRES(tree);
  // The key path (e.g. "contact.phone") under which `name` in `dir`, of this kind, is published, or nothing for a
  // name that stays local (a local-only name, a special file, anything in a local-only folder). At the root: the
  // protected data's name.
  std::optional<std::string> published_path(const Node& dir, const std::string& name, NodeKind kind)
      PFS_REQUIRES_SHARED(tree);
  // rename.cpp: rename(2) once the checks common to its forms have passed. move(): `name` of `n` becomes `new_name`
  // in `to_dir`, replacing `existing` (or nothing); exchange(): the two names swap their nodes. Each is one store
  // write, and one change for the publisher.
  void move(Node& from_dir, const std::string& name, Node& n, Node& to_dir, const std::string& new_name, Node* existing)
      PFS_REQUIRES(tree);
  void exchange(Node& a_dir, const std::string& a, Node& x, Node& b_dir, const std::string& b, Node& y)
      PFS_REQUIRES(tree);
  // A change to a published field makes its protected data pending; the listener (the publisher) is called with
  // the tree lock held, so it must not call back into the file system.
  void changed(const Node& n) PFS_REQUIRES(tree) {
    if (n.data != 0 && !n.local_only()) mark_changed(n.data);
  }
  void mark_changed(uint64_t data) PFS_REQUIRES(tree) {
    auto it = nodes.find(data);
    if (it == nodes.end() || it->second->kind != NodeKind::Data) return;
    DataInfo& info = it->second->info;
    if (info.status.kind != DataStatus::Kind::Publishing && info.status.kind != DataStatus::Kind::Pending) {
      info.status = {.kind = DataStatus::Kind::Pending};
      save(*it->second);
    }
    if (events.changed) events.changed(data, it->second->name);
  }
  Attributes attributes(const Node& n) const {
    Attributes a;
    a.ino = n.ino;
    a.kind = n.kind;
    a.mode = n.mode;
    a.special = n.special;
    a.rdev = n.rdev;
    a.size = n.is_directory() ? 4096 : n.size;
    a.nlink = n.unlinked ? 0 : n.is_directory() ? 2 : 1 + static_cast<uint32_t>(n.links.size());
    a.atime = n.atime;
    a.mtime = n.mtime;
    a.ctime = n.ctime;
    a.uid = n.uid;
    a.gid = n.gid;
    return a;
  }
  void erase_tree(Node& n) PFS_REQUIRES(tree) {
    while (!n.children.empty()) erase_tree(node(n.children.begin()->second));
    drop_other_names(n);  // a hard-linked node goes with all its names (all of them are in its protected data)
    erase(n);
  }
  // The first change to a field still showing a published leaf: the contents copy the bytes in, and the field
  // becomes an ordinary local one. An inherited application/octet-stream type goes (the new content decides, as
  // for any file); a scalar type stays, since text alone can't say that "1" is an i128.
  void make_local(Node& n) {
    if (!n.origin) return;
    n.origin.reset();
    n.size_unknown = false;
    if (n.type == std::string(format::to_string(format::FieldType::OctetStream))) n.type.reset();
  }
  // Takes a node out of the tree. What the kernel still holds stays: an open field keeps its bytes and its record
  // (parent 0) until its last release, any node held by a lookup stays in the table (nlink 0) until forgotten.
  void erase(Node& n) PFS_REQUIRES(tree);
  // The two halves of a node losing its last name, for erase() and a rename over it, which store the change in one
  // write with their own records. `open`: an open field, read once by the caller for both halves.
  bool open_field(const Node& n) { return n.kind == NodeKind::Field && held(n.ino).opens > 0; }
  // Before the write: what the store keeps of it (its record, parent 0, while open; nothing otherwise).
  static std::optional<NodeRecord> departing_record(const Node& n, bool open) {
    if (!open) return std::nullopt;
    NodeRecord record = record_of(n);
    record.parent = 0;  // the next mount drops it if the daemon stops before the last release
    return record;
  }
  // After the write, in memory: unlinked; its bytes dropped unless open; forgotten unless the kernel holds it.
  void depart(Node& n, bool open) PFS_REQUIRES(tree);
  // Schema levels (SPEC.md §2): a protected data is level 1, a folder in it level 2, and so on (the root is 0). A
  // folder deeper than the schema reader accepts would publish a version no mount could read back: EINVAL.
  std::size_t depth(const Node& n) PFS_REQUIRES_SHARED(tree) {
    std::size_t levels = 0;
    for (const Node* p = &n; p->kind != NodeKind::Root; p = &node(p->parent)) ++levels;
    return levels;
  }
  std::size_t height(const Node& dir) PFS_REQUIRES_SHARED(tree) {  // levels of folders from `dir` down, `dir` included
    std::size_t below = 0;
    for (const auto& [name, ino] : dir.children)
      if (const Node& c = *nodes.at(ino); c.is_directory()) below = std::max(below, height(c));
    return below + 1;
  }
  static void check_depth(const std::string& name, std::size_t levels) {
    if (levels > format::Schema::kMaxDepth)
      throw Error(EINVAL, quote(name) + " would nest folders " + std::to_string(levels) +
                              " levels deep: a protected data holds at most " +
                              std::to_string(format::Schema::kMaxDepth));
  }
  // user.protected.local of a protected data: what stays local in it (special files, names starting with '.'),
  // as JSON [{"path": "a/b", "kind": "symlink", "target": …}, …].
  std::string local_listing(const Node& data) PFS_REQUIRES_SHARED(tree);
  // user.protected.key: the key path of a node's first published name (hard links: the first name that is), or
  // nothing if none of its names is published.
  std::optional<std::string> key_path(const Node& n) PFS_REQUIRES_SHARED(tree) {
    if (n.unlinked) return std::nullopt;
    for (const NodeName& name : names_of(n))
      if (auto path = published_path(node(name.parent), name.name, n.kind)) return path;
    return std::nullopt;
  }
};

}  // namespace pfs::core
