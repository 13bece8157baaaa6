// rename(2) and renameat2(2) in full: a name moved inside one protected data (EXDEV between two), over a file or an
// empty folder (ENOTEMPTY otherwise, EISDIR/ENOTDIR across kinds), a folder never into itself (EINVAL), with
// RENAME_NOREPLACE (EEXIST) or RENAME_EXCHANGE (the two names swap their nodes); other flags (RENAME_WHITEOUT) are
// EINVAL. Each rename is one write of the store (the moved node, the replaced one, the folders' times), so a crash
// leaves it done or not done, and one change for the publisher, so it publishes one version. A protected data
// renamed at the root is published under its new name.
#include <linux/fs.h>

#include <tuple>

#include "core/node_names.hpp"
#include "core/ownership.hpp"
#include "core/tree_state.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {

void Filesystem::rename(uint64_t parent, const std::string& name, uint64_t new_parent, const std::string& new_name,
                        unsigned int flags, OptionalCaller caller) {
  check_name(new_name);
  if (flags & ~static_cast<unsigned int>(RENAME_NOREPLACE | RENAME_EXCHANGE))
    throw Error(EINVAL,
                "rename flags " + std::to_string(flags) + ": only RENAME_NOREPLACE and RENAME_EXCHANGE are supported");
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
    throw Error(EINVAL, "RENAME_NOREPLACE and RENAME_EXCHANGE exclude each other");
  const bool exchange = flags & RENAME_EXCHANGE;
  WriterLock lock(state_->tree);
  Node& from_dir = state_->directory(parent);
  Node& to_dir = state_->directory(new_parent);
  Node* n = state_->child(from_dir, name);
  if (!n) throw Error(ENOENT, "no " + quote(name));
  Node* existing = state_->child(to_dir, new_name);
  if (exchange && !existing) throw Error(ENOENT, "no " + quote(new_name) + " to exchange with");
  if ((flags & RENAME_NOREPLACE) && existing) throw Error(EEXIST, quote(new_name) + " exists");
  if (from_dir.data != to_dir.data || (n->kind == NodeKind::Data) != (to_dir.kind == NodeKind::Root))
    throw Error(EXDEV, quote(name) + " cannot move to another protected data (copy it, then delete it)");
  if (n->kind == NodeKind::Data) state_->require_mount_owner(caller, "rename the protected data " + quote(name));
  // Two names of one file (hard links), or a name onto itself: rename(2) does nothing and succeeds.
  if (existing == n) return;
  // A sticky folder keeps its entries from callers that own neither the entry nor the folder: the moved one, and
  // the one replaced or exchanged.
  ownership::check_sticky(state_->attributes(from_dir), state_->attributes(*n), caller, name);
  if (existing) ownership::check_sticky(state_->attributes(to_dir), state_->attributes(*existing), caller, new_name);
  // A folder never goes into itself or below (EINVAL, the kernel's answer too), whichever form.
  auto contains = [&](const Node& folder, const Node& dir) {
    state_->tree.assert_held();  // called below, under this function's lock (the analysis does not enter lambdas)
    for (const Node* p = &dir; p->kind != NodeKind::Root; p = &state_->node(p->parent))
      if (p == &folder) return true;
    return false;
  };
  if ((n->is_directory() && contains(*n, to_dir)) ||
      (exchange && existing->is_directory() && contains(*existing, from_dir)))
    throw Error(EINVAL, "cannot move a folder into itself");
  if (exchange) return state_->exchange(from_dir, name, *n, to_dir, new_name, *existing);
  state_->move(from_dir, name, *n, to_dir, new_name, existing);
}

void Filesystem::State::move(Node& from_dir, const std::string& name, Node& n, Node& to_dir,
                             const std::string& new_name, Node* existing) {
  const bool same_dir = &to_dir == &from_dir;
  if (n.is_directory() && !same_dir) check_depth(new_name, depth(to_dir) + height(n));
  if (existing) {
    if (existing->is_directory() != n.is_directory())
      throw Error(existing->is_directory() ? EISDIR : ENOTDIR, quote(new_name) + " is of another kind");
    if (!existing->children.empty()) throw Error(ENOTEMPTY, quote(new_name) + " is not empty");
  }
  check_key_free(to_dir, new_name, n.kind, {same_dir ? std::string_view(name) : std::string_view()});
  // What a publish would see: an editor's save (write ".x.swp", rename to "x") publishes; a rename that leaves every
  // key path as it was (between two local names, or "email.txt" to "email.text") changes nothing it would show.
  const bool visible = n.kind == NodeKind::Data || (existing && published_path(to_dir, new_name, existing->kind)) ||
                       published_path(from_dir, name, n.kind) != published_path(to_dir, new_name, n.kind);

  // The records first (a failed write changes nothing): the moved node, its folder(s), and the node renamed over,
  // which loses this name. With its last one it leaves the tree as by unlink: its record kept (parent 0) while it
  // is open, else erased.
  const timespec at = now();
  std::vector<NodeRecord> puts;
  std::vector<uint64_t> erases;
  NodeRecord moved = record_of(n);
  rename_name(moved, from_dir.ino, name, to_dir.ino, new_name);
  moved.ctime_ns = to_ns(at);
  puts.push_back(std::move(moved));
  puts.push_back(touched_record(from_dir, at));
  if (!same_dir) puts.push_back(touched_record(to_dir, at));
  const bool replaced_goes = existing && existing->links.empty();
  const bool replaced_open = replaced_goes && open_field(*existing);
  if (existing) {
    NodeRecord replaced = record_of(*existing);
    replaced.ctime_ns = to_ns(at);
    if (!replaced_goes) {
      drop_name(replaced, to_dir.ino, new_name);
      puts.push_back(std::move(replaced));
    } else if (auto kept = departing_record(*existing, replaced_open)) {
      kept->ctime_ns = replaced.ctime_ns;
      puts.push_back(std::move(*kept));
    } else {
      erases.push_back(existing->ino);
    }
  }
  store.write(puts, erases);

  std::optional<std::tuple<uint64_t, std::string, DataInfo>> removed_data;  // an empty protected data renamed over
  if (existing) {
    unlink_child(to_dir, new_name, *existing);
    existing->ctime = at;
    if (!replaced_goes) drop_name(*existing, to_dir.ino, new_name);
    else if (existing->kind == NodeKind::Data) removed_data.emplace(existing->ino, existing->name, existing->info);
  }
  unlink_child(from_dir, name, n);
  rename_name(n, from_dir.ino, name, to_dir.ino, new_name);
  n.ctime = at;
  link(to_dir, new_name, n);
  touch(from_dir, at);
  touch(to_dir, at);
  if (replaced_goes) depart(*existing, replaced_open);

  if (visible && n.data != 0) mark_changed(n.data);
  // What rmdir of the replaced one would have done: its grants revoked, its lineage hidden.
  if (removed_data && events.removed)
    events.removed(std::get<0>(*removed_data), std::get<1>(*removed_data), std::get<2>(*removed_data));
  // A protected data is published under its new name from now on: the old one is no longer its lineage's.
  if (n.kind == NodeKind::Data && events.renamed) events.renamed(n.ino, name, new_name, n.info);
}

void Filesystem::State::exchange(Node& a_dir, const std::string& a, Node& x, Node& b_dir, const std::string& b,
                                 Node& y) {
  const bool same_dir = &a_dir == &b_dir;
  if (!same_dir) {
    if (x.is_directory()) check_depth(b, depth(b_dir) + height(x));
    if (y.is_directory()) check_depth(a, depth(a_dir) + height(y));
  }
  // Each name keeps its place but names the other node, whose kind decides its key (a folder's key is its whole
  // name): neither may take a key another name of its folder holds, nor the same as each other.
  check_key_free(a_dir, a, y.kind, {same_dir ? std::string_view(b) : std::string_view()});
  check_key_free(b_dir, b, x.kind, {same_dir ? std::string_view(a) : std::string_view()});
  if (same_dir) {
    const auto key_a = key_of(a, y.kind), key_b = key_of(b, x.kind);
    if (key_a && key_a == key_b)
      throw Error(EEXIST, quote(a) + " and " + quote(b) + " would both be the field '" + *key_a + "'");
  }
  const bool visible = x.kind == NodeKind::Data || published_path(a_dir, a, x.kind) ||
                       published_path(b_dir, b, y.kind) || published_path(a_dir, a, y.kind) ||
                       published_path(b_dir, b, x.kind);

  const timespec at = now();
  NodeRecord rx = record_of(x), ry = record_of(y);
  rename_name(rx, a_dir.ino, a, b_dir.ino, b);
  rename_name(ry, b_dir.ino, b, a_dir.ino, a);
  rx.ctime_ns = ry.ctime_ns = to_ns(at);
  std::vector<NodeRecord> puts{std::move(rx), std::move(ry), touched_record(a_dir, at)};
  if (!same_dir) puts.push_back(touched_record(b_dir, at));
  store.write(puts, {});

  unlink_child(a_dir, a, x);
  unlink_child(b_dir, b, y);
  rename_name(x, a_dir.ino, a, b_dir.ino, b);
  rename_name(y, b_dir.ino, b, a_dir.ino, a);
  link(a_dir, a, y);
  link(b_dir, b, x);
  x.ctime = y.ctime = at;
  touch(a_dir, at);
  touch(b_dir, at);
  if (x.kind == NodeKind::Data) {  // two protected data swap names: each is published under its new one
    mark_changed(x.ino);
    mark_changed(y.ino);
  } else if (visible && x.data != 0) {
    mark_changed(x.data);
  }
}

}  // namespace pfs::core
