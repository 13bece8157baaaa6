// Hard links: one node, several names, all in one protected data (SPEC.md §2: a link across two is EXDEV). The node
// keeps its first name in `parent`/`name` and the others in `links`; its link count is their number. Each name of a
// field is a field of its own when published (the same bytes under each key: the snapshot lists names, not nodes),
// a name starting with '.' stays local, and a special file stays local under every name. Unlinking one name leaves
// the others; the node goes with its last one, as any node does (kept while open or held by the kernel).
#include <sys/stat.h>

#include "core/node_names.hpp"
#include "core/tree_state.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {
namespace {

constexpr std::size_t kMaxLinks = 65000;  // as ext4: past it, link(2) is EMLINK

}  // namespace

std::string Filesystem::State::name_with_key(const Node& dir, const Node& child, const std::string& key) {
  for (const NodeName& n : names_of(child))
    if (n.parent == dir.ino && key_of(n.name, child.kind) == key) return n.name;
  return child.name;  // (not reached: the key index names a child only under a name of it in that folder)
}

std::vector<NodeName> Filesystem::State::names_of(const Node& n) {
  std::vector<NodeName> names{{n.parent, n.name}};
  names.insert(names.end(), n.links.begin(), n.links.end());
  return names;
}

void Filesystem::State::link_stored_names(Node& n) {
  auto folder = [&](uint64_t ino) -> Node* {
    tree.assert_held();  // called below, under the caller's lock (the analysis does not enter lambdas)
    auto it = nodes.find(ino);
    return it != nodes.end() && it->second->is_directory() ? it->second.get() : nullptr;
  };
  // A name whose folder is gone (a record no removal can leave, but a cache is outside data) is dropped: the node is
  // reached through its other names, or else removed as an orphan by the constructor.
  std::erase_if(n.links, [&](const NodeName& link) { return folder(link.parent) == nullptr; });
  if (!folder(n.parent) && !n.links.empty()) {
    const NodeName first{n.parent, n.name};
    drop_name(n, first.parent, first.name);
  }
  for (const NodeName& name : names_of(n))
    if (Node* dir = folder(name.parent)) link(*dir, name.name, n);
}

std::optional<std::string> Filesystem::State::published_path(const Node& dir, const std::string& name, NodeKind kind) {
  if (dir.kind == NodeKind::Root) return name;
  auto key = key_of(name, kind);
  if (!key) return std::nullopt;
  std::string path = *key;
  for (const Node* p = &dir; p->kind != NodeKind::Data; p = &node(p->parent)) {
    auto folder_key = key_of(p->name, p->kind);
    if (!folder_key) return std::nullopt;  // a local-only folder keeps everything in it local
    path = *folder_key + "." + path;
  }
  return path;
}

Attributes Filesystem::link(uint64_t ino, uint64_t new_parent, const std::string& new_name) {
  check_name(new_name);
  WriterLock lock(state_->tree);
  Node& n = state_->node(ino);
  // link(2): EPERM for a folder (the kernel refuses those before asking), ENOENT for a node with no name left.
  if (n.is_directory()) throw Error(EPERM, quote(n.name) + " is a folder: folders have no hard links");
  if (n.unlinked) throw Error(ENOENT, quote(n.name) + " was removed");
  Node& dir = state_->directory(new_parent);
  if (dir.kind == NodeKind::Root)
    throw Error(EPERM, quote(new_name) + ": only folders can be created at the root (each one is a protected data)");
  if (dir.data != n.data)
    throw Error(EXDEV, quote(new_name) + ": a hard link cannot join two protected data (copy the file instead)");
  if (state_->child(dir, new_name)) throw Error(EEXIST, quote(new_name) + " exists");
  if (n.links.size() + 1 >= kMaxLinks) throw Error(EMLINK, quote(n.name) + " has too many links");
  state_->check_key_free(dir, new_name, n.kind);
  // The node (its new name, its ctime: its link count changed) and the folder's new times in one write.
  const timespec at = now();
  NodeRecord record = State::record_of(n);
  record.links.push_back({dir.ino, new_name});
  record.ctime_ns = to_ns(at);
  const NodeRecord records[] = {record, State::touched_record(dir, at)};
  state_->store.write(records, {});
  n.links.push_back({dir.ino, new_name});
  n.ctime = at;
  State::link(dir, new_name, n);
  State::touch(dir, at);
  state_->hold(n.ino, 1, 0);  // the kernel holds the entry it is given, as after a lookup
  if (state_->published_path(dir, new_name, n.kind)) state_->mark_changed(n.data);  // a new field, same bytes
  return state_->attributes(n);
}

void Filesystem::State::remove_name(Node& dir, const std::string& name, Node& n) {
  const uint64_t data = n.data;
  const bool published = data != 0 && published_path(dir, name, n.kind).has_value();
  if (n.links.empty()) {
    n.ctime = now();  // seen through a file still open (stored with it by erase)
    erase(n);
  } else {
    const timespec at = now();
    NodeRecord record = record_of(n);
    drop_name(record, dir.ino, name);
    record.ctime_ns = to_ns(at);
    const NodeRecord records[] = {record, touched_record(dir, at)};
    store.write(records, {});
    unlink_child(dir, name, n);
    drop_name(n, dir.ino, name);
    n.ctime = at;
    touch(dir, at);
  }
  if (published) mark_changed(data);
}

void Filesystem::State::drop_other_names(Node& n) {
  if (n.links.empty()) return;
  const timespec at = now();
  NodeRecord self = record_of(n);
  self.links.clear();
  std::vector<NodeRecord> records{self};
  for (const NodeName& link : n.links) records.push_back(touched_record(node(link.parent), at));
  store.write(records, {});
  for (const NodeName& link : n.links) {
    Node& dir = node(link.parent);
    unlink_child(dir, link.name, n);
    touch(dir, at);
  }
  n.links.clear();
}

}  // namespace pfs::core
