#include "protectedfs/core/filesystem.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/xattr.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/data_info.hpp"
#include "protectedfs/format/borsh.hpp"
#include "protectedfs/format/field_key.hpp"
#include "protectedfs/format/field_type.hpp"
#include "protectedfs/format/schema.hpp"

namespace pfs::core {
namespace {

constexpr const char* kPrefix = "user.protected.";
constexpr const char* kTypeAttribute = "user.protected.type";
constexpr const char* kKeyAttribute = "user.protected.key";
constexpr const char* kGrantPrefix = "user.protected.grant.";
constexpr const char* kGrantsAttribute = "user.protected.grants";
constexpr const char* kOwnerAttribute = "user.protected.owner";
constexpr std::size_t kMaxScalarText = 4096;

timespec now() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

void check_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw Error(EINVAL, "invalid name '" + name + "'");
  if (name.size() > 255) throw Error(ENAMETOOLONG, "name longer than 255 bytes");
}

}  // namespace

struct Filesystem::Node {
  uint64_t ino = 0;
  uint64_t parent = 0;
  uint64_t data = 0;  // the protected data this node belongs to (itself for a Data node, 0 for the root)
  std::string name;
  NodeKind kind = NodeKind::Field;
  uint32_t mode = 0;
  uint64_t size = 0;
  timespec mtime{}, ctime{};
  uid_t uid = 0;
  gid_t gid = 0;
  std::map<std::string, uint64_t> children;          // by name
  std::unordered_map<std::string, uint64_t> by_key;  // children by field key (local-only names have none)
  std::map<std::string, std::string> xattrs;         // other user.* attributes, kept locally
  std::optional<std::string> type;                   // user.protected.type
  std::optional<PublishedLeaf> origin;               // Field nodes whose bytes are still those of a published leaf
  DataInfo info;                                     // Data nodes only

  bool is_directory() const { return kind != NodeKind::Field; }
  bool transfer_pending() const { return !info.transfer_to.empty(); }
  bool local_only() const { return format::is_local_only(name); }
};

struct Filesystem::State {
  FieldContents& contents;
  TreeStore& store;
  uid_t uid;
  gid_t gid;
  mutable std::shared_mutex tree;  // guards everything below
  std::map<uint64_t, std::unique_ptr<Node>> nodes;
  uint64_t next_ino = kRootIno + 1;
  DataEvents events;
  std::function<std::map<std::string, std::string>()> root_attributes;

  State(FieldContents& c, TreeStore& t, uid_t u, gid_t g) : contents(c), store(t), uid(u), gid(g) {}

  // Every change of a node is written through (not synced: flush() syncs at close/fsync boundaries).
  void save(const Node& n) { store.put(record_of(n)); }
  static NodeRecord record_of(const Node& n);
  static std::unique_ptr<Node> node_of(const NodeRecord& r);

  Node& node(uint64_t ino) {
    auto it = nodes.find(ino);
    if (it == nodes.end()) throw Error(ENOENT, "no inode " + std::to_string(ino));
    return *it->second;
  }
  Node& directory(uint64_t ino) {
    Node& n = node(ino);
    if (!n.is_directory()) throw Error(ENOTDIR, "'" + n.name + "' is not a folder");
    return n;
  }
  Node* child(const Node& dir, const std::string& name) {
    auto it = dir.children.find(name);
    return it == dir.children.end() ? nullptr : nodes.at(it->second).get();
  }
  Node& add(Node& parent, const std::string& name, NodeKind kind, uint32_t mode) {
    auto n = std::make_unique<Node>();
    n->ino = next_ino++;
    n->parent = parent.ino;
    n->name = name;
    n->kind = kind;
    n->mode = mode & 07777;
    n->mtime = n->ctime = now();
    n->uid = uid;
    n->gid = gid;
    n->data = kind == NodeKind::Data ? n->ino : parent.data;
    Node& ref = *n;
    link(parent, ref);
    parent.mtime = parent.ctime = ref.mtime;
    nodes[ref.ino] = std::move(n);
    save(ref);
    return ref;
  }
  std::size_t open_grants() const {
    std::size_t count = 0;
    for (const auto& [ino, n] : nodes)
      if (n->kind == NodeKind::Data) count += n->info.grants.size();
    return count;
  }
  // The field key a name maps to inside a protected data (SPEC.md §2), or nothing for local-only names.
  static std::optional<std::string> key_of(const std::string& name, NodeKind kind) {
    if (format::is_local_only(name)) return std::nullopt;
    return kind == NodeKind::Field ? format::file_key(name) : format::directory_key(name);
  }
  // A child joins or leaves its folder's name and key indexes (a lookup by key keeps creates O(log n): copying
  // ten thousand files into one folder must not compare each new name with every other).
  static void link(Node& dir, const Node& child) {
    dir.children[child.name] = child.ino;
    if (auto key = key_of(child.name, child.kind)) dir.by_key[*key] = child.ino;
  }
  static void unlink_child(Node& dir, const Node& child) {
    dir.children.erase(child.name);
    if (auto key = key_of(child.name, child.kind))
      if (auto it = dir.by_key.find(*key); it != dir.by_key.end() && it->second == child.ino) dir.by_key.erase(it);
  }
  // Two names with the same key in one folder: the second one is refused.
  void check_key_free(const Node& dir, const std::string& name, NodeKind kind, const Node* ignore = nullptr) {
    if (dir.kind == NodeKind::Root) return;
    auto key = key_of(name, kind);
    if (!key) return;
    auto it = dir.by_key.find(*key);
    if (it == dir.by_key.end()) return;
    const Node& other = *nodes.at(it->second);
    if (&other == ignore || other.name == name) return;
    throw Error(EEXIST, "'" + name + "' and '" + other.name + "' would both be the field '" + *key + "'");
  }
  // A change to a published field makes its protected data pending; the listener (the publisher) is called with
  // the tree lock held, so it must not call back into the file system.
  void changed(const Node& n) {
    if (n.data != 0 && !n.local_only()) mark_changed(n.data);
  }
  void mark_changed(uint64_t data) {
    auto it = nodes.find(data);
    if (it == nodes.end() || it->second->kind != NodeKind::Data) return;
    DataInfo& info = it->second->info;
    if (info.status.rfind("publishing", 0) != 0 && info.status != "pending") {
      info.status = "pending";
      save(*it->second);
    }
    if (events.changed) events.changed(data, it->second->name);
  }
  Attributes attributes(const Node& n) const {
    Attributes a;
    a.ino = n.ino;
    a.kind = n.kind;
    a.mode = n.mode;
    a.size = n.kind == NodeKind::Field ? n.size : 4096;
    a.nlink = n.is_directory() ? 2 : 1;
    a.mtime = n.mtime;
    a.ctime = n.ctime;
    a.uid = n.uid;
    a.gid = n.gid;
    return a;
  }
  void erase_tree(Node& n) {
    while (!n.children.empty()) erase_tree(node(n.children.begin()->second));
    erase(n);
  }
  // The first change to a field still showing a published leaf: the contents copy the bytes in, and the field
  // becomes an ordinary local one. An inherited application/octet-stream type goes (the new content decides, as
  // for any file); a scalar type stays, since text alone can't say that "1" is an i128.
  void make_local(Node& n) {
    if (!n.origin) return;
    n.origin.reset();
    if (n.type == std::string(format::to_string(format::FieldType::OctetStream))) n.type.reset();
  }
  void erase(Node& n) {
    Node& parent = node(n.parent);
    unlink_child(parent, n);
    parent.mtime = parent.ctime = now();
    if (n.kind == NodeKind::Field) contents.remove(n.ino);
    store.erase(n.ino);
    nodes.erase(n.ino);
  }
  std::string key_path(const Node& n) {
    std::string path;
    for (const Node* p = &n; p->kind != NodeKind::Data && p->kind != NodeKind::Root; p = &node(p->parent))
      path = *key_of(p->name, p->kind) + (path.empty() ? "" : "." + path);
    return path;
  }
};

Filesystem::Filesystem(FieldContents& contents, TreeStore& store, uid_t owner_uid, gid_t owner_gid)
    : state_(std::make_unique<State>(contents, store, owner_uid, owner_gid)) {
  for (const NodeRecord& record : store.load()) {
    auto node = State::node_of(record);
    state_->next_ino = std::max(state_->next_ino, node->ino + 1);
    state_->nodes[node->ino] = std::move(node);
  }
  if (!state_->nodes.count(kRootIno)) {
    auto root = std::make_unique<Node>();
    root->ino = kRootIno;
    root->kind = NodeKind::Root;
    root->mode = 0755;
    root->mtime = root->ctime = now();
    state_->nodes[kRootIno] = std::move(root);
    state_->save(*state_->nodes[kRootIno]);
  }
  // The mounting user owns the root (and is the only one who may enter without allow_other).
  state_->nodes[kRootIno]->uid = owner_uid;
  state_->nodes[kRootIno]->gid = owner_gid;
  // Children lists and each node's protected data follow from the parent links.
  for (auto& [ino, node] : state_->nodes) {
    if (ino == kRootIno) continue;
    auto parent = state_->nodes.find(node->parent);
    if (parent == state_->nodes.end()) continue;  // an orphan from an interrupted removal: ignored
    State::link(*parent->second, *node);
  }
  std::function<void(Node&, uint64_t)> assign = [&](Node& n, uint64_t data) {
    n.data = n.kind == NodeKind::Data ? n.ino : data;
    for (const auto& [name, child] : n.children) assign(*state_->nodes.at(child), n.data);
  };
  assign(*state_->nodes[kRootIno], 0);
  for (const auto& [ino, node] : state_->nodes)
    if (node->origin) contents.attach(ino, *node->origin);
}

NodeRecord Filesystem::State::record_of(const Node& n) {
  NodeRecord r;
  r.ino = n.ino;
  r.parent = n.parent;
  r.name = n.name;
  r.kind = static_cast<int>(n.kind);
  r.mode = n.mode;
  r.size = n.size;
  r.mtime_ns = n.mtime.tv_sec * 1000000000LL + n.mtime.tv_nsec;
  r.ctime_ns = n.ctime.tv_sec * 1000000000LL + n.ctime.tv_nsec;
  r.uid = n.uid;
  r.gid = n.gid;
  r.type = n.type;
  r.xattrs = n.xattrs;
  if (n.origin)
    r.origin =
        nlohmann::json{{"dataset", n.origin->dataset}, {"entry", n.origin->entry}, {"type", n.origin->type}}.dump();
  if (n.kind == NodeKind::Data) r.data_info = encode_data_info(n.info);
  return r;
}

std::unique_ptr<Filesystem::Node> Filesystem::State::node_of(const NodeRecord& r) {
  auto n = std::make_unique<Node>();
  n->ino = r.ino;
  n->parent = r.parent;
  n->name = r.name;
  n->kind = static_cast<NodeKind>(r.kind);
  n->mode = r.mode;
  n->size = r.size;
  n->mtime = {static_cast<time_t>(r.mtime_ns / 1000000000LL), static_cast<long>(r.mtime_ns % 1000000000LL)};
  n->ctime = {static_cast<time_t>(r.ctime_ns / 1000000000LL), static_cast<long>(r.ctime_ns % 1000000000LL)};
  n->uid = r.uid;
  n->gid = r.gid;
  n->type = r.type;
  n->xattrs = r.xattrs;
  if (!r.origin.empty()) {
    const auto j = nlohmann::json::parse(r.origin);
    n->origin = PublishedLeaf{j.at("dataset"), j.at("entry"), j.at("type")};
  }
  if (!r.data_info.empty()) {
    DataInfo& i = n->info;
    i = decode_data_info(r.data_info);
    // A publish a crash interrupted shows as pending: the publisher resumes it.
    if (i.status.rfind("publishing", 0) == 0) i.status = "pending";
  }
  return n;
}

Filesystem::~Filesystem() = default;

void Filesystem::set_events(DataEvents events) {
  std::unique_lock lock(state_->tree);
  state_->events = std::move(events);
}

void Filesystem::set_root_attributes(std::function<std::map<std::string, std::string>()> provider) {
  std::unique_lock lock(state_->tree);
  state_->root_attributes = std::move(provider);
}

Attributes Filesystem::lookup(uint64_t parent, const std::string& name) {
  std::shared_lock lock(state_->tree);
  Node* n = state_->child(state_->directory(parent), name);
  if (!n) throw Error(ENOENT, "no '" + name + "'");
  return state_->attributes(*n);
}

Attributes Filesystem::getattr(uint64_t ino) {
  std::shared_lock lock(state_->tree);
  return state_->attributes(state_->node(ino));
}

std::vector<DirEntry> Filesystem::readdir(uint64_t ino) {
  std::shared_lock lock(state_->tree);
  const Node& dir = state_->directory(ino);
  std::vector<DirEntry> out;
  out.reserve(dir.children.size());
  for (const auto& [name, child] : dir.children) {
    const Node& c = *state_->nodes.at(child);
    out.push_back({name, child, c.kind, state_->attributes(c)});
  }
  return out;
}

Attributes Filesystem::mkdir(uint64_t parent, const std::string& name, uint32_t mode) {
  check_name(name);
  std::unique_lock lock(state_->tree);
  Node& dir = state_->directory(parent);
  if (state_->child(dir, name)) throw Error(EEXIST, "'" + name + "' exists");
  const NodeKind kind = dir.kind == NodeKind::Root ? NodeKind::Data : NodeKind::Dir;
  state_->check_key_free(dir, name, kind);
  Node& n = state_->add(dir, name, kind, mode);
  if (kind == NodeKind::Dir) state_->changed(n);  // a new protected data stays a draft until it has a field
  if (kind == NodeKind::Data && state_->events.created) state_->events.created(name);
  return state_->attributes(n);
}

Attributes Filesystem::create(uint64_t parent, const std::string& name, uint32_t mode) {
  check_name(name);
  std::unique_lock lock(state_->tree);
  Node& dir = state_->directory(parent);
  if (dir.kind == NodeKind::Root)
    throw Error(EPERM, "'" + name + "': only folders can be created at the root (each one is a protected data)");
  if (state_->child(dir, name)) throw Error(EEXIST, "'" + name + "' exists");
  state_->check_key_free(dir, name, NodeKind::Field);
  Node& n = state_->add(dir, name, NodeKind::Field, mode);
  state_->contents.create(n.ino);
  state_->changed(n);
  return state_->attributes(n);
}

void Filesystem::unlink(uint64_t parent, const std::string& name) {
  std::unique_lock lock(state_->tree);
  Node* n = state_->child(state_->directory(parent), name);
  if (!n) throw Error(ENOENT, "no '" + name + "'");
  if (n->is_directory()) throw Error(EISDIR, "'" + name + "' is a folder");
  const Node copy_for_change = *n;
  state_->erase(*n);
  state_->changed(copy_for_change);
}

void Filesystem::rmdir(uint64_t parent, const std::string& name) {
  std::unique_lock lock(state_->tree);
  Node* n = state_->child(state_->directory(parent), name);
  if (!n) throw Error(ENOENT, "no '" + name + "'");
  if (!n->is_directory()) throw Error(ENOTDIR, "'" + name + "' is not a folder");
  if (!n->children.empty()) throw Error(ENOTEMPTY, "'" + name + "' is not empty");
  const Node copy_for_change = *n;
  state_->erase(*n);
  if (copy_for_change.kind == NodeKind::Dir) state_->changed(copy_for_change);
  if (copy_for_change.kind == NodeKind::Data && state_->events.removed)
    state_->events.removed(copy_for_change.ino, copy_for_change.name, copy_for_change.info);
}

void Filesystem::rename(uint64_t parent, const std::string& name, uint64_t new_parent, const std::string& new_name,
                        unsigned int flags) {
  check_name(new_name);
  if (flags & RENAME_EXCHANGE) throw Error(EINVAL, "exchanging names is not supported");
  std::unique_lock lock(state_->tree);
  Node& from_dir = state_->directory(parent);
  Node& to_dir = state_->directory(new_parent);
  Node* n = state_->child(from_dir, name);
  if (!n) throw Error(ENOENT, "no '" + name + "'");
  if (from_dir.data != to_dir.data || (n->kind == NodeKind::Data) != (to_dir.kind == NodeKind::Root))
    throw Error(EXDEV, "'" + name + "' cannot move to another protected data (copy it, then delete it)");
  for (const Node* p = &to_dir; p->kind != NodeKind::Root; p = &state_->node(p->parent))
    if (p == n) throw Error(EINVAL, "cannot move a folder into itself");
  if (Node* existing = state_->child(to_dir, new_name); existing && existing != n) {
    if (flags & RENAME_NOREPLACE) throw Error(EEXIST, "'" + new_name + "' exists");
    if (existing->is_directory() != n->is_directory())
      throw Error(existing->is_directory() ? EISDIR : ENOTDIR, "'" + new_name + "' is of another kind");
    if (!existing->children.empty()) throw Error(ENOTEMPTY, "'" + new_name + "' is not empty");
    state_->check_key_free(to_dir, new_name, n->kind, n);
    state_->erase(*existing);
  } else {
    state_->check_key_free(to_dir, new_name, n->kind, n);
  }
  const bool was_local = n->local_only();
  State::unlink_child(from_dir, *n);
  n->name = new_name;
  n->parent = to_dir.ino;
  n->ctime = now();
  State::link(to_dir, *n);
  from_dir.mtime = to_dir.mtime = n->ctime;
  state_->save(*n);
  // An editor's save (write ".x.swp", rename to "x") publishes; a rename between two local names does not.
  if (!(was_local && n->local_only()) && n->data != 0) state_->mark_changed(n->data);
}

void Filesystem::open(uint64_t ino, int flags) {
  std::unique_lock lock(state_->tree);
  Node& n = state_->node(ino);
  if (n.is_directory()) throw Error(EISDIR, "'" + n.name + "' is a folder");
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && n.size > 0) {
    state_->contents.truncate(ino, 0);
    state_->make_local(n);
    n.size = 0;
    n.mtime = n.ctime = now();
    state_->save(n);
    state_->changed(n);
  }
}

std::size_t Filesystem::read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) {
  uint64_t size;
  {
    std::shared_lock lock(state_->tree);
    const Node& n = state_->node(ino);
    if (n.is_directory()) throw Error(EISDIR, "'" + n.name + "' is a folder");
    size = n.size;
  }
  if (offset >= size) return 0;
  out = out.first(static_cast<std::size_t>(std::min<uint64_t>(out.size(), size - offset)));
  return state_->contents.read(ino, offset, out);
}

std::size_t Filesystem::write(uint64_t ino, uint64_t offset, ByteView data) {
  state_->contents.write(ino, offset, data);
  std::unique_lock lock(state_->tree);
  Node& n = state_->node(ino);
  state_->make_local(n);
  n.size = std::max(n.size, offset + data.size());
  n.mtime = n.ctime = now();
  state_->save(n);
  state_->changed(n);
  return data.size();
}

void Filesystem::flush(uint64_t ino) {
  std::shared_lock lock(state_->tree);
  state_->node(ino);  // ENOENT for a stale inode, as for any other call
}

void Filesystem::fsync(uint64_t ino) {
  {
    std::shared_lock lock(state_->tree);
    if (state_->node(ino).is_directory()) return state_->store.sync();
  }
  state_->contents.sync(ino);
  state_->store.sync();
}

Attributes Filesystem::setattr(uint64_t ino, const SetAttr& change) {
  std::unique_lock lock(state_->tree);
  Node& n = state_->node(ino);
  if (change.size) {
    if (n.is_directory()) throw Error(EISDIR, "'" + n.name + "' is a folder");
    state_->contents.truncate(ino, *change.size);
    state_->make_local(n);
    n.size = *change.size;
    n.mtime = now();
    state_->changed(n);
  }
  // chmod, chown and utimens are kept locally and never fail a `cp -a` (SPEC.md §2).
  if (change.mode) n.mode = *change.mode & 07777;
  if (change.uid) n.uid = *change.uid;
  if (change.gid) n.gid = *change.gid;
  if (change.mtime) n.mtime = *change.mtime;
  n.ctime = now();
  state_->save(n);
  return state_->attributes(n);
}

std::string Filesystem::getxattr(uint64_t ino, const std::string& name) {
  if (!starts_with(name, "user.")) throw Error(ENODATA, "no attribute " + name);
  std::shared_lock lock(state_->tree);
  Node& n = state_->node(ino);
  if (starts_with(name, kPrefix)) {
    const std::string field = name.substr(std::string(kPrefix).size());
    if (n.kind == NodeKind::Root && state_->root_attributes) {
      auto values = state_->root_attributes();
      if (auto it = values.find(name); it != values.end()) return it->second;
    }
    if (n.kind == NodeKind::Data)
      if (auto value = data_attribute(n.info, field)) return *value;
    if (n.kind == NodeKind::Field && !n.local_only()) {
      if (field == "type" && n.type) return *n.type;
      if (field == "key") return state_->key_path(n);
    }
    throw Error(ENODATA, "no attribute " + name + " on '" + n.name + "'");
  }
  auto it = n.xattrs.find(name);
  if (it == n.xattrs.end()) throw Error(ENODATA, "no attribute " + name);
  return it->second;
}

std::vector<std::string> Filesystem::listxattr(uint64_t ino) {
  std::shared_lock lock(state_->tree);
  Node& n = state_->node(ino);
  std::vector<std::string> names;
  if (n.kind == NodeKind::Root && state_->root_attributes)
    for (const auto& [name, value] : state_->root_attributes()) names.push_back(name);
  if (n.kind == NodeKind::Data)
    for (auto& name : data_attribute_names(n.info)) names.push_back(std::move(name));
  if (n.kind == NodeKind::Field && !n.local_only()) {
    if (n.type) names.push_back(kTypeAttribute);
    names.push_back(kKeyAttribute);
  }
  for (const auto& [name, value] : n.xattrs) names.push_back(name);
  return names;
}

void Filesystem::setxattr(uint64_t ino, const std::string& name, const std::string& value, int flags) {
  if (!starts_with(name, "user.")) throw Error(ENOTSUP, "only user.* attributes are supported");
  std::unique_lock lock(state_->tree);
  Node& n = state_->node(ino);
  if (name == kTypeAttribute && n.kind == NodeKind::Field && !n.local_only()) {
    std::string text = value;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    const format::FieldType type = format::parse_field_type(text);  // EINVAL naming the accepted types
    if (type == format::FieldType::Bool || type == format::FieldType::F64 || type == format::FieldType::I128) {
      // The content must parse as that value now, so a bad override is refused here and not at publish time.
      if (n.size > kMaxScalarText) throw Error(EINVAL, "'" + n.name + "' is too large to be a " + text);
      Bytes content(static_cast<std::size_t>(n.size));
      content.resize(state_->contents.read(ino, 0, content));
      format::scalar_from_text(type, as_chars(content));
    }
    if ((flags & XATTR_CREATE) && n.type) throw Error(EEXIST, name + " is already set");
    n.type = std::string(format::to_string(type));
    state_->save(n);
    state_->changed(n);
    return;
  }
  if (n.kind == NodeKind::Data && starts_with(name, kGrantPrefix)) {
    const GrantSubject subject = parse_grant_subject(name.substr(std::string(kGrantPrefix).size()));
    const GrantTerms terms = parse_grant_terms(value);
    Grant* existing = find_grant(n.info, subject);
    if ((flags & XATTR_CREATE) && existing)
      throw Error(EEXIST, name + " exists (remove it first, or set it without create)");
    if ((flags & XATTR_REPLACE) && !existing) throw Error(ENODATA, "no grant " + name);
    if (!existing && state_->open_grants() >= kMaxOpenGrants)
      throw Error(EDQUOT, "this wallet already has " + std::to_string(kMaxOpenGrants) +
                              " grants, the most the market keeps open for one wallet");
    if (!n.transfer_pending()) {
      // Setting a grant again replaces its terms: a new order, the old one revoked (SPEC.md §3).
      if (existing) *existing = Grant{subject, terms, ""};
      else n.info.grants.push_back(Grant{subject, terms, ""});
      state_->save(n);
      if (state_->events.grants_changed) state_->events.grants_changed(n.ino, n.name);
      return;
    }
    throw Error(EBUSY, "'" + n.name + "' is being transferred to " + n.info.transfer_to);
  }
  if (n.kind == NodeKind::Data && name == kOwnerAttribute) {
    const crypto::Address owner = parse_address_value(value);
    if (!n.info.owner.empty() && owner == crypto::Address::parse(n.info.owner)) return;  // cp -a sets what is there
    if (n.info.address.empty()) throw Error(EINVAL, "'" + n.name + "' has no published version to transfer yet");
    if (owner.is_zero()) throw Error(EINVAL, "cannot transfer '" + n.name + "' to the zero address");
    if (n.transfer_pending())
      throw Error(EBUSY, "'" + n.name + "' is already being transferred to " + n.info.transfer_to);
    if (n.info.status != "published")
      throw Error(EBUSY, "'" + n.name + "' has changes not published yet (protectedfs sync, then transfer)");
    n.info.transfer_to = owner.to_string();
    n.info.status = "transferring to " + n.info.transfer_to;
    state_->save(n);
    if (state_->events.grants_changed) state_->events.grants_changed(n.ino, n.name);
    return;
  }
  if (starts_with(name, kPrefix)) {
    // Tools that copy attributes (cp -a, mv, rsync -X) set the read-only ones to the value they already have.
    const std::string node_name = n.name;
    lock.unlock();
    std::string current;
    try {
      current = getxattr(ino, name);
    } catch (const Error&) {
      throw Error(EINVAL, "unknown attribute " + name + " on '" + node_name + "'");
    }
    if (current == value) return;
    throw Error(EROFS, name + " is read-only");
  }
  const bool exists = n.xattrs.count(name) != 0;
  if ((flags & XATTR_CREATE) && exists) throw Error(EEXIST, name + " exists");
  if ((flags & XATTR_REPLACE) && !exists) throw Error(ENODATA, "no attribute " + name);
  n.xattrs[name] = value;
  state_->save(n);
}

void Filesystem::removexattr(uint64_t ino, const std::string& name) {
  std::unique_lock lock(state_->tree);
  Node& n = state_->node(ino);
  if (name == kTypeAttribute && n.kind == NodeKind::Field) {
    if (!n.type) throw Error(ENODATA, "no attribute " + name);
    n.type.reset();
    state_->save(n);
    state_->changed(n);
    return;
  }
  if (n.kind == NodeKind::Data && (starts_with(name, kGrantPrefix) || name == kGrantsAttribute)) {
    if (name == kGrantsAttribute) {
      n.info.grants.clear();  // revokes every grant
    } else {
      const GrantSubject subject = parse_grant_subject(name.substr(std::string(kGrantPrefix).size()));
      const auto before = n.info.grants.size();
      std::erase_if(n.info.grants, [&](const Grant& g) { return g.subject == subject; });
      if (n.info.grants.size() == before) throw Error(ENODATA, "no grant " + name);
    }
    state_->save(n);
    if (state_->events.grants_changed) state_->events.grants_changed(n.ino, n.name);
    return;
  }
  if (starts_with(name, kPrefix)) throw Error(EROFS, name + " cannot be removed");
  if (n.xattrs.erase(name) == 0) throw Error(ENODATA, "no attribute " + name);
  state_->save(n);
}

std::vector<DataSummary> Filesystem::data_list() {
  std::shared_lock lock(state_->tree);
  std::vector<DataSummary> out;
  for (const auto& [name, ino] : state_->node(kRootIno).children) {
    const Node& n = state_->node(ino);
    if (n.kind == NodeKind::Data) out.push_back({ino, name, n.info});
  }
  return out;
}

uint64_t Filesystem::adopt(const AdoptedData& data) {
  check_name(data.name);
  std::unique_lock lock(state_->tree);
  Node& root = state_->node(kRootIno);
  Node* existing = state_->child(root, data.name);
  if (existing && existing->info.status != "published")
    throw Error(EBUSY, "'" + data.name + "' has local changes: the version published elsewhere is not shown");
  Node& folder = existing ? *existing : state_->add(root, data.name, NodeKind::Data, 0755);
  // Names this mount gave the fields (their key paths are the same): a file copied in as "email.txt" keeps that
  // name when a version published elsewhere replaces it, instead of becoming "email".
  std::map<std::string, std::string> known_names;
  std::function<void(const Node&)> collect = [&](const Node& dir) {
    for (const auto& [name, ino] : dir.children) {
      const Node& c = state_->node(ino);
      if (c.local_only()) continue;
      known_names[state_->key_path(c)] = name;
      if (c.is_directory()) collect(c);
    }
  };
  collect(folder);
  while (!folder.children.empty()) state_->erase_tree(state_->node(folder.children.begin()->second));
  // The grants this mount keeps for the lineage follow it to the new version (the keeper re-issues them).
  const bool keep_grants = existing && (!folder.info.grants.empty() || !folder.info.orders.empty());
  if (keep_grants) {
    DataInfo info = data.info;
    info.grants = std::move(folder.info.grants);
    info.orders = std::move(folder.info.orders);
    folder.info = std::move(info);
  } else {
    folder.info = data.info;
  }
  std::map<std::string, Node*> objects{{"", &folder}};  // by key path
  for (const AdoptedEntry& entry : data.entries) {
    if (entry.names.empty()) throw Error(EINVAL, "an adopted entry without a name");
    std::string key_path;
    if (entry.directory) {
      for (const auto& n : entry.names) key_path += (key_path.empty() ? "" : ".") + n;
    } else {
      key_path = entry.leaf.entry;
      std::replace(key_path.begin(), key_path.end(), '/', '.');
    }
    const std::size_t dot = key_path.rfind('.');
    auto parent = objects.find(dot == std::string::npos ? "" : key_path.substr(0, dot));
    if (parent == objects.end()) throw Error(EINVAL, "adopted entry '" + key_path + "' comes before its object");
    auto known = known_names.find(key_path);
    const std::string& name = known != known_names.end() ? known->second : entry.names.back();
    check_name(name);
    if (state_->child(*parent->second, name)) throw Error(EEXIST, "adopted entry '" + name + "' appears twice");
    Node& n = state_->add(*parent->second, name, entry.directory ? NodeKind::Dir : NodeKind::Field,
                          entry.directory ? 0755 : 0644);
    if (entry.directory) {
      objects[key_path] = &n;
      continue;
    }
    n.size = entry.size;
    n.type = entry.type;
    n.origin = entry.leaf;
    state_->contents.attach(n.ino, entry.leaf);
    state_->save(n);
  }
  state_->save(folder);
  if (keep_grants && state_->events.grants_changed) state_->events.grants_changed(folder.ino, folder.name);
  const uint64_t folder_ino = folder.ino;
  lock.unlock();  // telling the kernel may wait for a request that needs the tree lock
  if (state_->events.root_entry_replaced) state_->events.root_entry_replaced(data.name);
  return folder_ino;
}

void Filesystem::forget(uint64_t data_ino) {
  std::string name;
  {
    std::unique_lock lock(state_->tree);
    auto it = state_->nodes.find(data_ino);
    if (it == state_->nodes.end() || it->second->kind != NodeKind::Data) return;
    name = it->second->name;
    state_->erase_tree(*it->second);
  }
  if (state_->events.root_entry_replaced) state_->events.root_entry_replaced(name);
}

DataSnapshot Filesystem::snapshot(uint64_t data_ino) {
  std::shared_lock lock(state_->tree);
  Node& data = state_->node(data_ino);
  if (data.kind != NodeKind::Data) throw Error(EINVAL, "not a protected data");
  DataSnapshot snap;
  snap.name = data.name;
  // Depth first, children in key order (numeric keys first, as a JavaScript object orders them).
  std::function<void(const Node&, std::vector<std::string>&)> walk = [&](const Node& dir,
                                                                         std::vector<std::string>& path) {
    std::vector<std::pair<std::string, const Node*>> children;
    for (const auto& [name, ino] : dir.children) {
      const Node& c = *state_->nodes.at(ino);
      if (auto key = State::key_of(name, c.kind)) children.emplace_back(*key, &c);
    }
    std::sort(children.begin(), children.end(),
              [](const auto& a, const auto& b) { return format::javascript_key_less(a.first, b.first); });
    for (const auto& [key, c] : children) {
      path.push_back(key);
      snap.entries.push_back({path, c->kind != NodeKind::Field, c->ino, c->size,
                              c->mtime.tv_sec * 1000000000LL + c->mtime.tv_nsec, c->type});
      if (c->kind != NodeKind::Field) walk(*c, path);
      path.pop_back();
    }
  };
  std::vector<std::string> path;
  walk(data, path);
  return snap;
}

void Filesystem::update_data(uint64_t data_ino, const std::function<void(DataInfo&)>& change) {
  std::unique_lock lock(state_->tree);
  auto it = state_->nodes.find(data_ino);
  if (it == state_->nodes.end() || it->second->kind != NodeKind::Data) return;  // removed meanwhile
  change(it->second->info);
  state_->save(*it->second);
}

DataInfo Filesystem::data_info(uint64_t data_ino) {
  std::shared_lock lock(state_->tree);
  return state_->node(data_ino).info;
}

}  // namespace pfs::core
