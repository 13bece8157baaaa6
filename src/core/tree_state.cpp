#include <algorithm>
#include <functional>

#include <nlohmann/json.hpp>

#include "core/data_info.hpp"
#include "core/tree_state.hpp"

namespace pfs::core {

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

}  // namespace pfs::core
