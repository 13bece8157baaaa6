// The POSIX operations of the tree: what the kernel asks for through the FUSE adapter.
#include <fcntl.h>
#include <linux/fs.h>

#include <algorithm>

#include "core/tree_state.hpp"

namespace pfs::core {

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

}  // namespace pfs::core
