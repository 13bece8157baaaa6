// The POSIX operations of the tree: what the kernel asks for through the FUSE adapter, with the lookup and open
// counts that keep an unlinked node alive while the kernel holds it.
#include <fcntl.h>

#include <algorithm>
#include <vector>

#include "core/ownership.hpp"
#include "core/tree_state.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {
namespace {

constexpr int64_t kDayNs = 24LL * 3600 * 1000000000LL;

// relatime: an access updates atime when it is not newer than the last change, or a day old.
bool access_time_due(const timespec& atime, const timespec& mtime, const timespec& ctime, const timespec& at) {
  const int64_t a = to_ns(atime);
  return a <= to_ns(mtime) || a <= to_ns(ctime) || to_ns(at) - a >= kDayNs;
}

}  // namespace

Attributes Filesystem::lookup(uint64_t parent, const std::string& name) {
  if (auto found = find(parent, name)) return *found;
  throw Error(ENOENT, "no " + quote(name));
}

std::optional<Attributes> Filesystem::find(uint64_t parent, const std::string& name) {
  check_name_length(name);
  ReaderLock lock(state_->tree);
  Node* n = state_->child(state_->directory(parent), name);
  if (!n) return std::nullopt;
  state_->hold(n->ino, 1, 0);
  return state_->attributes(*n);
}

void Filesystem::remember(std::span<const uint64_t> inos) {
  ReaderLock lock(state_->tree);
  for (const uint64_t ino : inos)
    if (state_->nodes.count(ino)) state_->hold(ino, 1, 0);  // one removed meanwhile is ENOENT for the kernel
}

void Filesystem::forget_lookups(uint64_t ino, uint64_t count) {
  if (ino == kRootIno) return;
  {
    // A node still in the tree only has its count dropped (the counts have their own mutex): under the shared lock,
    // so that the kernel forgetting the thousands of entries a listing gave it does not stall lookups and getxattr.
    ReaderLock lock(state_->tree);
    const State::KernelRefs left = state_->drop(ino, count, 0);
    auto it = state_->nodes.find(ino);
    if (it == state_->nodes.end() || !it->second->unlinked || left.lookups > 0 || left.opens > 0) return;
  }
  // An unlinked node that nothing holds leaves the table, unless held again meanwhile (a readdirplus listed it
  // before its unlink) or already gone (its last release).
  WriterLock lock(state_->tree);
  auto it = state_->nodes.find(ino);
  if (it == state_->nodes.end() || !it->second->unlinked) return;
  const State::KernelRefs left = state_->held(ino);
  if (left.lookups == 0 && left.opens == 0) state_->nodes.erase(it);
}

Attributes Filesystem::getattr(uint64_t ino) {
  ReaderLock lock(state_->tree);
  return state_->attributes(state_->node(ino));
}

std::vector<DirEntry> Filesystem::readdir(uint64_t ino, std::size_t from, std::size_t count) {
  ReaderLock lock(state_->tree);
  const Node& dir = state_->directory(ino);
  std::vector<DirEntry> out;
  if (from >= dir.children.size()) return out;
  out.reserve(std::min(count, dir.children.size() - from));
  for (auto it = std::next(dir.children.begin(), static_cast<std::ptrdiff_t>(from));
       it != dir.children.end() && out.size() < count; ++it) {
    const Node& c = *state_->nodes.at(it->second);
    out.push_back({it->first, it->second, c.kind, state_->attributes(c)});
  }
  return out;
}

Attributes Filesystem::mkdir(uint64_t parent, const std::string& name, uint32_t mode, OptionalCaller caller) {
  check_name(name);
  WriterLock lock(state_->tree);
  Node& dir = state_->directory(parent);
  if (dir.kind == NodeKind::Root) state_->require_mount_owner(caller, "create the protected data " + quote(name));
  if (state_->child(dir, name)) throw Error(EEXIST, quote(name) + " exists");
  const NodeKind kind = dir.kind == NodeKind::Root ? NodeKind::Data : NodeKind::Dir;
  State::check_depth(name, state_->depth(dir) + 1);
  state_->check_key_free(dir, name, kind);
  Node& n = state_->add(dir, name, kind, mode, caller);
  state_->hold(n.ino, 1, 0);
  if (kind == NodeKind::Dir) state_->changed(n);  // a new protected data stays a draft until it has a field
  if (kind == NodeKind::Data && state_->events.created) state_->events.created(name);
  return state_->attributes(n);
}

Attributes Filesystem::create(uint64_t parent, const std::string& name, uint32_t mode, OptionalCaller caller) {
  check_name(name);
  WriterLock lock(state_->tree);
  Node& dir = state_->directory(parent);
  if (dir.kind == NodeKind::Root)
    throw Error(EPERM, quote(name) + ": only folders can be created at the root (each one is a protected data)");
  if (state_->child(dir, name)) throw Error(EEXIST, quote(name) + " exists");
  state_->check_key_free(dir, name, NodeKind::Field);
  Node& n = state_->add(dir, name, NodeKind::Field, mode, caller, /*make_staged_file=*/true);
  state_->hold(n.ino, 1, 1);
  state_->changed(n);
  return state_->attributes(n);
}

void Filesystem::unlink(uint64_t parent, const std::string& name, OptionalCaller caller) {
  WriterLock lock(state_->tree);
  Node& dir = state_->directory(parent);
  Node* n = state_->child(dir, name);
  if (!n) throw Error(ENOENT, "no " + quote(name));
  if (n->is_directory()) throw Error(EISDIR, quote(name) + " is a folder");
  ownership::check_sticky(state_->attributes(dir), state_->attributes(*n), caller, name);
  state_->remove_name(dir, name, *n);  // the node goes with its last name (hard_links.cpp)
}

void Filesystem::rmdir(uint64_t parent, const std::string& name, OptionalCaller caller) {
  WriterLock lock(state_->tree);
  Node& dir = state_->directory(parent);
  Node* n = state_->child(dir, name);
  if (!n) throw Error(ENOENT, "no " + quote(name));
  if (!n->is_directory()) throw Error(ENOTDIR, quote(name) + " is not a folder");
  if (n->kind == NodeKind::Data) state_->require_mount_owner(caller, "remove the protected data " + quote(name));
  ownership::check_sticky(state_->attributes(dir), state_->attributes(*n), caller, name);
  if (!n->children.empty()) throw Error(ENOTEMPTY, quote(name) + " is not empty");
  const Node copy_for_change = *n;
  state_->erase(*n);
  if (copy_for_change.kind == NodeKind::Dir) state_->changed(copy_for_change);
  if (copy_for_change.kind == NodeKind::Data && state_->events.removed)
    state_->events.removed(copy_for_change.ino, copy_for_change.name, copy_for_change.info);
}

void Filesystem::open(uint64_t ino, int flags, OptionalCaller caller) {
  const bool truncating = (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY;
  if (!truncating) state_->learn_size(ino);  // a field listed from its schema: EIO while its content is missing
  WriterLock lock(state_->tree);
  Node& n = state_->node(ino);
  if (n.is_directory()) throw Error(EISDIR, quote(n.name) + " is a folder");
  // The kernel opens FIFOs and devices itself and never opens a symlink: nothing of theirs is read here.
  if (n.kind == NodeKind::Special) throw Error(ENXIO, quote(n.name) + " is a special file");
  // An unlinked field whose bytes are gone (no open file kept them) cannot be opened again (/proc/PID/fd/N).
  if (n.unlinked && state_->held(ino).opens == 0) throw Error(ENOENT, quote(n.name) + " was removed");
  if (truncating && (n.size > 0 || n.size_unknown)) {
    state_->contents.truncate(ino, 0);
    state_->make_local(n);
    n.size = 0;
    n.mtime = n.ctime = now();
    state_->save(n);
    state_->changed(n);
  }
  // O_TRUNC is a truncate even of an empty file: it clears setuid/setgid as one would.
  if (truncating && (n.mode & (S_ISUID | S_ISGID))) {
    const uint32_t mode = ownership::mode_without_privileges(state_->attributes(n), caller, /*by_content=*/true);
    if (mode != n.mode) {
      n.mode = mode;
      n.ctime = now();
      state_->save(n);
    }
  }
  state_->hold(ino, 0, 1);
}

void Filesystem::release(uint64_t ino) {
  WriterLock lock(state_->tree);
  const State::KernelRefs left = state_->drop(ino, 0, 1);
  auto it = state_->nodes.find(ino);
  if (it == state_->nodes.end() || !it->second->unlinked || left.opens > 0) return;
  // The last close of a field unlinked while open: its bytes and its record go.
  state_->contents.remove(ino);
  state_->store.erase(ino);
  if (left.lookups == 0) state_->nodes.erase(it);
}

std::size_t Filesystem::read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) {
  uint64_t size;
  const timespec at = now();
  bool touch;
  {
    ReaderLock lock(state_->tree);
    const Node& n = state_->node(ino);
    if (n.is_directory()) throw Error(EISDIR, quote(n.name) + " is a folder");
    if (n.kind == NodeKind::Special) throw Error(ENXIO, quote(n.name) + " is a special file");
    size = n.size;
    touch = access_time_due(n.atime, n.mtime, n.ctime, at);
  }
  std::size_t got = 0;
  if (offset < size) {
    out = out.first(static_cast<std::size_t>(std::min<uint64_t>(out.size(), size - offset)));
    got = state_->contents.read(ino, offset, out);
  }
  if (touch) {
    WriterLock lock(state_->tree);
    auto it = state_->nodes.find(ino);
    if (it != state_->nodes.end() && access_time_due(it->second->atime, it->second->mtime, it->second->ctime, at)) {
      it->second->atime = at;
      try {
        state_->save(*it->second);
      } catch (const Error&) {
        // an access time that cannot be stored (a full disk) is no reason to fail a read
      }
    }
  }
  return got;
}

std::size_t Filesystem::write(uint64_t ino, uint64_t offset, ByteView data, OptionalCaller caller) {
  state_->contents.write(ino, offset, data);
  WriterLock lock(state_->tree);
  Node& n = state_->node(ino);
  state_->make_local(n);
  if (n.mode & (S_ISUID | S_ISGID))
    n.mode = ownership::mode_without_privileges(state_->attributes(n), caller, /*by_content=*/true);
  n.size = std::max(n.size, offset + data.size());
  n.mtime = n.ctime = now();
  state_->save(n);
  state_->changed(n);
  return data.size();
}

void Filesystem::flush(uint64_t ino) {
  {
    ReaderLock lock(state_->tree);
    if (state_->node(ino).kind != NodeKind::Field) return;  // (ENOENT for a stale inode, as for any other call)
  }
  state_->contents.settle(ino);
}

void Filesystem::fsync(uint64_t ino) {
  {
    ReaderLock lock(state_->tree);
    if (state_->node(ino).is_directory()) return state_->store.sync();
  }
  state_->contents.sync(ino);
  state_->store.sync();
}

Attributes Filesystem::setattr(uint64_t ino, const SetAttr& change, OptionalCaller caller) {
  WriterLock lock(state_->tree);
  Node& n = state_->node(ino);
  const timespec at = now();
  // Every rule is checked before anything changes: a refused chown leaves the size, modes and times as they were.
  const Attributes before = state_->attributes(n);
  if (change.uid || change.gid) ownership::check_chown(before, change.uid, change.gid, caller, n.name);
  const gid_t gid_after = change.gid.value_or(n.gid);
  const std::optional<uint32_t> mode =
      change.mode ? std::optional(ownership::chmod_mode(before, *change.mode, gid_after, caller, n.name))
                  : std::nullopt;
  const auto is_now = [](const std::optional<timespec>& t) { return t && t->tv_nsec == UTIME_NOW; };
  const bool explicit_time = (change.atime && !is_now(change.atime)) || (change.mtime && !is_now(change.mtime));
  if (change.atime || change.mtime)
    ownership::check_times(before, explicit_time, is_now(change.atime) || is_now(change.mtime), caller, n.name);
  if (change.size) {
    if (n.is_directory()) throw Error(EISDIR, quote(n.name) + " is a folder");
    if (n.kind == NodeKind::Special) throw Error(EINVAL, quote(n.name) + " is a special file");
    // A truncate to the size the field has changes no byte: nothing to publish (its times still change).
    if (*change.size != n.size || n.size_unknown) {
      state_->contents.truncate(ino, *change.size);
      state_->make_local(n);
      n.size = *change.size;
      state_->changed(n);
    }
    n.mtime = at;
    n.mode = ownership::mode_without_privileges(state_->attributes(n), caller, /*by_content=*/true);
  }
  // chmod, chown and utimens are kept locally and never fail a `cp -a` by the owner (SPEC.md §2).
  if (mode) n.mode = *mode;
  if (change.uid || change.gid) {
    // chown clears setuid/setgid (root's too, as Linux does), after any chmod of the same call, as notify_change.
    n.mode = ownership::mode_without_privileges(state_->attributes(n), caller, /*by_content=*/false);
    if (change.uid) n.uid = *change.uid;
    if (change.gid) n.gid = *change.gid;
  }
  if (change.atime) n.atime = is_now(change.atime) ? at : *change.atime;
  if (change.mtime) n.mtime = is_now(change.mtime) ? at : *change.mtime;
  n.ctime = at;
  state_->save(n);
  return state_->attributes(n);
}

}  // namespace pfs::core
