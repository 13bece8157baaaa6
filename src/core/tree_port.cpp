// The port the publisher and the tree sync use: the protected data of the root, snapshots to publish, their
// DataInfo, and versions published elsewhere shown (adopt) or removed (forget).
#include <algorithm>
#include <functional>

#include "core/data_info.hpp"
#include "core/tree_state.hpp"
#include "protectedfs/format/schema.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {

void Filesystem::set_events(DataEvents events) {
  WriterLock lock(state_->tree);
  state_->events = std::move(events);
}

void Filesystem::set_root_attributes(std::function<std::map<std::string, std::string>()> provider) {
  WriterLock lock(state_->tree);
  state_->root_attributes = std::move(provider);
}

std::vector<DataSummary> Filesystem::data_list() {
  ReaderLock lock(state_->tree);
  std::vector<DataSummary> out;
  for (const auto& [name, ino] : state_->node(kRootIno).children) {
    const Node& n = state_->node(ino);
    if (n.kind == NodeKind::Data) out.push_back({ino, name, n.info});
  }
  return out;
}

uint64_t Filesystem::adopt(const AdoptedData& data) {
  check_name(data.name);
  WriterLock lock(state_->tree);
  Node& root = state_->node(kRootIno);
  Node* existing = state_->child(root, data.name);
  // A data listed from its schema (content not fetched) has no local changes: its fetched version replaces it.
  if (existing && !shows_registered_version(existing->info))
    throw Error(EBUSY, quote(data.name) + " has local changes: the version published elsewhere is not shown");
  Node& folder = existing ? *existing : state_->add(root, data.name, NodeKind::Data, 0755);
  // Names this mount gave the fields (their key paths are the same): a file copied in as "email.txt" keeps that
  // name when a version published elsewhere replaces it, instead of becoming "email".
  std::map<std::string, std::string> known_names;
  std::function<void(const Node&, const std::string&)> collect = [&](const Node& dir, const std::string& prefix) {
    state_->tree.assert_held();  // called below, under this function's lock (the analysis does not enter lambdas)
    for (const auto& [name, ino] : dir.children) {
      const Node& c = state_->node(ino);
      const auto key = State::key_of(name, c.kind);  // by name: each name of a hard-linked field is a field
      if (!key) continue;
      known_names[prefix + *key] = name;
      if (c.is_directory()) collect(c, prefix + *key + ".");
    }
  };
  collect(folder, "");
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
    if (parent == objects.end()) throw Error(EINVAL, "adopted entry " + quote(key_path) + " comes before its object");
    auto known = known_names.find(key_path);
    const std::string& name = known != known_names.end() ? known->second : entry.names.back();
    check_name(name);
    if (state_->child(*parent->second, name)) throw Error(EEXIST, "adopted entry " + quote(name) + " appears twice");
    Node& n = state_->add(*parent->second, name, entry.directory ? NodeKind::Dir : NodeKind::Field,
                          entry.directory ? 0755 : 0644);
    if (entry.directory) {
      objects[key_path] = &n;
      continue;
    }
    n.size = entry.size;
    n.size_unknown = entry.size_unknown;
    n.type = entry.type;
    n.origin = entry.leaf;
    state_->contents.attach(n.ino, entry.leaf);
    state_->save(n);
  }
  state_->save(folder);
  if (keep_grants && state_->events.grants_changed) state_->events.grants_changed(folder.ino, folder.name);
  const uint64_t folder_ino = folder.ino;
  const auto replaced = state_->events.root_entry_replaced;
  lock.unlock();  // telling the kernel may wait for a request that needs the tree lock
  if (replaced) replaced(data.name);
  return folder_ino;
}

void Filesystem::forget(uint64_t data_ino) {
  std::string name;
  std::function<void(const std::string&)> replaced;
  {
    WriterLock lock(state_->tree);
    auto it = state_->nodes.find(data_ino);
    if (it == state_->nodes.end() || it->second->kind != NodeKind::Data || it->second->unlinked) return;
    name = it->second->name;
    state_->erase_tree(*it->second);
    replaced = state_->events.root_entry_replaced;
  }
  if (replaced) replaced(name);  // outside the lock, as in adopt
}

std::optional<uint64_t> Filesystem::data_of_field(uint64_t ino) {
  ReaderLock lock(state_->tree);
  const auto it = state_->nodes.find(ino);
  if (it == state_->nodes.end() || it->second->kind != NodeKind::Field || it->second->unlinked) return std::nullopt;
  return it->second->data;
}

bool Filesystem::is_open(uint64_t ino) { return state_->held(ino).opens > 0; }

DataSnapshot Filesystem::snapshot(uint64_t data_ino) {
  // Fields listed from the schema alone learn their sizes first (EIO while their content cannot be fetched): a
  // size not known yet must never publish as an empty field.
  std::vector<uint64_t> unsized;
  {
    ReaderLock lock(state_->tree);
    for (const auto& [ino, n] : state_->nodes)
      if (n->data == data_ino && n->size_unknown && !n->unlinked) unsized.push_back(ino);
  }
  for (const uint64_t ino : unsized) state_->learn_size(ino);
  ReaderLock lock(state_->tree);
  Node& data = state_->linked(data_ino);
  if (data.kind != NodeKind::Data) throw Error(EINVAL, "not a protected data");
  DataSnapshot snap;
  snap.name = data.name;
  // Depth first, children in key order (numeric keys first, as a JavaScript object orders them).
  std::function<void(const Node&, std::vector<std::string>&)> walk = [&](const Node& dir,
                                                                         std::vector<std::string>& path) {
    state_->tree.assert_reader_held();  // called below, under this function's lock
    std::vector<std::pair<std::string, const Node*>> children;
    for (const auto& [name, ino] : dir.children) {
      const Node& c = *state_->nodes.at(ino);
      if (auto key = State::key_of(name, c.kind)) children.emplace_back(*key, &c);
    }
    std::sort(children.begin(), children.end(),
              [](const auto& a, const auto& b) { return format::javascript_key_less(a.first, b.first); });
    for (const auto& [key, c] : children) {
      if (c->size_unknown) throw Error(EIO, "the content of " + quote(c->name) + " has not been fetched yet");
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

void Filesystem::State::change_data(uint64_t data_ino, const std::function<void(DataInfo&)>& change) {
  WriterLock lock(tree);
  auto it = nodes.find(data_ino);
  if (it == nodes.end() || it->second->kind != NodeKind::Data || it->second->unlinked) return;  // removed meanwhile
  change(it->second->info);
  save(*it->second);
}

DataInfo Filesystem::data_info(uint64_t data_ino) {
  ReaderLock lock(state_->tree);
  return state_->linked(data_ino).info;
}

void Filesystem::set_status(uint64_t data_ino, const DataStatus& status) {
  state_->change_data(data_ino, [&](DataInfo& info) { info.status = status; });
}

void Filesystem::clear_failure(uint64_t data_ino, const std::string& step) {
  state_->change_data(data_ino, [&](DataInfo& info) {
    if (info.status.kind != DataStatus::Kind::Failed || info.status.failure.step != step) return;
    info.status = {.kind = DataStatus::Kind::Published};
  });
}

void Filesystem::record_published(uint64_t data_ino, const PublishedVersion& v, const std::string& fingerprint) {
  state_->change_data(data_ino, [&](DataInfo& info) {
    if (!info.address.empty() && info.address != v.address)
      info.versions.insert(info.versions.begin(), VersionRef{info.address, info.created});
    apply_version(info, v);
    info.published_fingerprint = fingerprint;
  });
}

void Filesystem::add_order(uint64_t data_ino, const IssuedOrder& order) {
  state_->change_data(data_ino, [&](DataInfo& info) {
    info.orders.push_back(order);
    for (Grant& g : info.grants)
      if (g.subject == order.subject && g.terms == order.terms) g.order = order.hash;
  });
}

void Filesystem::set_order_state(uint64_t data_ino, const std::string& hash, IssuedOrder::State state) {
  state_->change_data(data_ino, [&](DataInfo& info) {
    for (IssuedOrder& o : info.orders)
      if (o.hash == hash) {
        o.state = state;
        if (state == IssuedOrder::State::Closed) o.remaining = 0;
      }
  });
}

void Filesystem::set_order_usage(uint64_t data_ino, const std::string& hash, uint64_t uses, uint64_t remaining,
                                 bool closed) {
  state_->change_data(data_ino, [&](DataInfo& info) {
    for (IssuedOrder& o : info.orders)
      if (o.hash == hash) {
        o.uses = uses;
        o.remaining = remaining;
        if (closed) o.state = IssuedOrder::State::Closed;
      }
  });
}

void Filesystem::void_live_orders(uint64_t data_ino) {
  state_->change_data(data_ino, [](DataInfo& info) {
    for (IssuedOrder& o : info.orders)
      if (o.state == IssuedOrder::State::Issuing || o.state == IssuedOrder::State::Open)
        o.state = IssuedOrder::State::Void;
  });
}

}  // namespace pfs::core
