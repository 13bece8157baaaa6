// The inode table: loaded from the store at mount, nodes added and taken out, and the codec between a node and
// its stored record.
#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/data_info.hpp"
#include "core/ownership.hpp"
#include "core/tree_state.hpp"

namespace pfs::core {

Filesystem::Filesystem(FieldContents& contents, TreeStore& store, uid_t owner_uid, gid_t owner_gid)
    : state_(std::make_unique<State>(contents, store, owner_uid, owner_gid)) {
  WriterLock lock(state_->tree);  // no other thread can see the table yet; taken so that the analysis checks it
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
    root->atime = root->mtime = root->ctime = now();
    state_->nodes[kRootIno] = std::move(root);
    state_->save(*state_->nodes[kRootIno]);
  }
  // The mounting user owns the root (and is the only one who may enter without allow_other).
  state_->nodes[kRootIno]->uid = owner_uid;
  state_->nodes[kRootIno]->gid = owner_gid;
  // Children lists and each node's protected data follow from the parent links (a hard-linked node's, from each).
  for (auto& [ino, node] : state_->nodes)
    if (ino != kRootIno) state_->link_stored_names(*node);
  std::unordered_set<uint64_t> reached;
  std::function<void(Node&, uint64_t)> assign = [&](Node& n, uint64_t data) {
    state_->tree.assert_held();  // called below, under the constructor's lock (the analysis does not enter lambdas)
    reached.insert(n.ino);
    n.data = n.kind == NodeKind::Data ? n.ino : data;
    for (const auto& [name, child] : n.children) assign(*state_->nodes.at(child), n.data);
  };
  assign(*state_->nodes[kRootIno], 0);
  // Out of the tree: a field unlinked while open when the daemon stopped (stored with parent 0), or an orphan of
  // an interrupted removal. Their bytes and records go now; nothing can reach them any more.
  for (auto it = state_->nodes.begin(); it != state_->nodes.end();) {
    if (reached.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second->kind == NodeKind::Field) {
      try {
        contents.remove(it->first);
      } catch (const Error&) {
        // already gone (the crash came between the two removals)
      }
    }
    store.erase(it->first);
    it = state_->nodes.erase(it);
  }
  for (const auto& [ino, node] : state_->nodes)
    if (node->origin) contents.attach(ino, *node->origin);
}

Filesystem::Node& Filesystem::State::add(Node& parent, const std::string& name, NodeKind kind, uint32_t mode,
                                         const OptionalCaller& caller, bool make_staged_file,
                                         const std::function<void(Node&)>& shape) {
  auto n = std::make_unique<Node>();
  n->ino = next_ino++;
  n->parent = parent.ino;
  n->name = name;
  n->kind = kind;
  const bool directory = kind == NodeKind::Data || kind == NodeKind::Dir;
  const ownership::NewOwner owner = ownership::new_node(attributes(parent), directory, mode, caller, uid, gid);
  n->mode = owner.mode;
  n->uid = owner.uid;
  n->gid = owner.gid;
  const timespec at = now();
  n->atime = n->mtime = n->ctime = at;
  n->data = kind == NodeKind::Data ? n->ino : parent.data;
  if (shape) shape(*n);
  if (make_staged_file) contents.create(n->ino);
  try {
    const NodeRecord records[] = {record_of(*n), touched_record(parent, at)};
    store.write(records, {});
  } catch (...) {
    if (make_staged_file) {
      try {
        contents.remove(n->ino);
      } catch (const Error&) {
        // the store's failure is the one to report
      }
    }
    throw;
  }
  Node& ref = *n;
  link(parent, ref);
  touch(parent, at);
  nodes[ref.ino] = std::move(n);
  return ref;
}

void Filesystem::State::erase(Node& n) {
  Node& parent = node(n.parent);
  const timespec at = now();
  const bool open = open_field(n);
  std::vector<NodeRecord> puts{touched_record(parent, at)};
  std::vector<uint64_t> erases;
  if (auto kept = departing_record(n, open)) puts.push_back(std::move(*kept));
  else erases.push_back(n.ino);
  store.write(puts, erases);
  unlink_child(parent, n);
  touch(parent, at);
  depart(n, open);
}

void Filesystem::State::depart(Node& n, bool open) {
  n.unlinked = true;
  n.parent = 0;
  n.data = 0;
  if (open) return;
  if (n.kind == NodeKind::Field) {
    try {
      contents.remove(n.ino);
    } catch (const Error&) {
      // the removal is stored; bytes left behind are replaced when their inode number is used again
    }
  }
  if (held(n.ino).lookups == 0) nodes.erase(n.ino);  // else kept for the kernel's getattr until it forgets it
}

Filesystem::State::KernelRefs Filesystem::State::held(uint64_t ino) {
  MutexLock lock(refs_mutex);
  auto it = refs.find(ino);
  return it == refs.end() ? KernelRefs{} : it->second;
}

void Filesystem::State::hold(uint64_t ino, uint64_t lookups, uint64_t opens) {
  MutexLock lock(refs_mutex);
  KernelRefs& r = refs[ino];
  r.lookups += lookups;
  r.opens += opens;
}

Filesystem::State::KernelRefs Filesystem::State::drop(uint64_t ino, uint64_t lookups, uint64_t opens) {
  MutexLock lock(refs_mutex);
  auto it = refs.find(ino);
  if (it == refs.end()) return {};
  it->second.lookups -= std::min(lookups, it->second.lookups);
  it->second.opens -= std::min(opens, it->second.opens);
  const KernelRefs left = it->second;
  if (left.lookups == 0 && left.opens == 0) refs.erase(it);
  return left;
}

void Filesystem::State::learn_size(uint64_t ino) {
  PublishedLeaf leaf;
  {
    ReaderLock lock(tree);
    auto it = nodes.find(ino);
    if (it == nodes.end() || !it->second->size_unknown || !it->second->origin) return;
    leaf = *it->second->origin;
  }
  const std::optional<uint64_t> size = contents.published_size(ino);
  if (!size) return;
  WriterLock lock(tree);
  auto it = nodes.find(ino);
  if (it == nodes.end() || !it->second->size_unknown || it->second->origin != leaf) return;  // changed meanwhile
  it->second->size = *size;
  it->second->size_unknown = false;
  save(*it->second);
}

NodeRecord Filesystem::State::record_of(const Node& n) {
  NodeRecord r;
  r.ino = n.ino;
  r.parent = n.parent;
  r.name = n.name;
  r.kind = static_cast<int>(n.kind);
  r.mode = n.special | n.mode;
  r.size = n.size;
  r.target = n.target;
  r.rdev = n.rdev;
  r.links = n.links;
  r.atime_ns = to_ns(n.atime);
  r.mtime_ns = to_ns(n.mtime);
  r.ctime_ns = to_ns(n.ctime);
  r.uid = n.uid;
  r.gid = n.gid;
  r.type = n.type;
  r.xattrs = n.xattrs;
  if (n.origin) {
    nlohmann::json origin{{"dataset", n.origin->dataset}, {"entry", n.origin->entry}, {"type", n.origin->type}};
    if (n.size_unknown) origin["size_unknown"] = true;
    r.origin = origin.dump();
  }
  if (n.kind == NodeKind::Data) r.data_info = n.encoded_info.encode(n.info);
  return r;
}

std::unique_ptr<Filesystem::Node> Filesystem::State::node_of(const NodeRecord& r) {
  auto n = std::make_unique<Node>();
  n->ino = r.ino;
  n->parent = r.parent;
  n->name = r.name;
  n->kind = static_cast<NodeKind>(r.kind);
  n->mode = r.mode & 07777;
  n->special = n->kind == NodeKind::Special ? r.mode & S_IFMT : 0;
  n->size = r.size;
  n->target = r.target;
  n->rdev = r.rdev;
  n->links = r.links;
  n->mtime = from_ns(r.mtime_ns);
  n->ctime = from_ns(r.ctime_ns);
  n->atime = r.atime_ns != 0 ? from_ns(r.atime_ns) : n->mtime;
  n->uid = r.uid;
  n->gid = r.gid;
  n->type = r.type;
  n->xattrs = r.xattrs;
  if (!r.origin.empty()) {
    const auto j = nlohmann::json::parse(r.origin);
    n->origin = PublishedLeaf{j.at("dataset"), j.at("entry"), j.at("type")};
    n->size_unknown = j.value("size_unknown", false);
  }
  if (!r.data_info.empty()) {
    DataInfo& i = n->info;
    i = decode_data_info(r.data_info);
    // A publish a crash interrupted shows as pending: the publisher resumes it.
    if (i.status.kind == DataStatus::Kind::Publishing) i.status = {.kind = DataStatus::Kind::Pending};
  }
  return n;
}

Filesystem::~Filesystem() = default;

}  // namespace pfs::core
