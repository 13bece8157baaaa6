// Special files: symlinks, FIFOs, sockets and device nodes. They live in the tree and the store like any node, so
// `cp -a` and `rsync -a` of a real folder work, but they are local-only, like names starting with '.': they have no
// field key, never mark their protected data changed, and the publisher's snapshot never sees them (SPEC.md §2).
// user.protected.local lists them, with the dot-names, so the owner sees what others will not get.
#include <sys/stat.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "core/tree_state.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {
namespace {

constexpr std::size_t kMaxTarget = 4095;  // PATH_MAX less its terminating NUL, as the kernel allows
// An attribute value the kernel passes whole is at most 64 KiB (XATTR_SIZE_MAX): past this, user.protected.local
// ends with {"more": N}, the count of entries left out, rather than failing with E2BIG.
constexpr std::size_t kMaxListing = 60000;
constexpr std::size_t kMoreEntry = 32;  // room kept for {"more": N}, N up to 20 digits

}  // namespace

Attributes Filesystem::symlink(uint64_t parent, const std::string& name, const std::string& target,
                               OptionalCaller caller) {
  check_name(name);
  if (target.empty()) throw Error(ENOENT, "a symlink needs a target");
  if (target.size() > kMaxTarget) throw Error(ENAMETOOLONG, "symlink target longer than " + std::to_string(kMaxTarget));
  WriterLock lock(state_->tree);
  Node& dir = state_->directory(parent);
  if (dir.kind == NodeKind::Root)
    throw Error(EPERM, quote(name) + ": only folders can be created at the root (each one is a protected data)");
  if (state_->child(dir, name)) throw Error(EEXIST, quote(name) + " exists");
  Node& n = state_->add(dir, name, NodeKind::Special, 0777, caller, /*make_staged_file=*/false, [&](Node& made) {
    made.special = S_IFLNK;
    made.target = target;
    made.size = target.size();
  });
  state_->hold(n.ino, 1, 0);
  return state_->attributes(n);
}

Attributes Filesystem::mknod(uint64_t parent, const std::string& name, uint32_t mode, uint64_t rdev,
                             OptionalCaller caller) {
  check_name(name);
  const uint32_t type = mode & S_IFMT;
  if (type == S_IFREG || type == 0) {  // mknod(2) of a regular file: an empty field, as create without the open
    const Attributes made = create(parent, name, mode, caller);
    release(made.ino);
    return made;
  }
  if (type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR && type != S_IFBLK)
    throw Error(EINVAL, quote(name) + ": mknod makes FIFOs, sockets and device nodes only");
  const bool device = type == S_IFCHR || type == S_IFBLK;
  if (device && (caller ? caller->uid : state_->uid) != 0)
    throw Error(EPERM, quote(name) + ": only root makes device nodes");
  WriterLock lock(state_->tree);
  Node& dir = state_->directory(parent);
  if (dir.kind == NodeKind::Root)
    throw Error(EPERM, quote(name) + ": only folders can be created at the root (each one is a protected data)");
  if (state_->child(dir, name)) throw Error(EEXIST, quote(name) + " exists");
  Node& n = state_->add(dir, name, NodeKind::Special, mode, caller, /*make_staged_file=*/false, [&](Node& made) {
    made.special = type;
    made.rdev = device ? rdev : 0;
  });
  state_->hold(n.ino, 1, 0);
  return state_->attributes(n);
}

std::string Filesystem::readlink(uint64_t ino) {
  ReaderLock lock(state_->tree);
  const Node& n = state_->node(ino);
  if (n.kind != NodeKind::Special || n.special != S_IFLNK) throw Error(EINVAL, quote(n.name) + " is not a symlink");
  return n.target;
}

std::string Filesystem::State::local_listing(const Node& data) {
  auto kind_name = [](const Node& n) {
    if (n.kind == NodeKind::Field) return "file";
    if (n.kind != NodeKind::Special) return "folder";
    switch (n.special) {
      case S_IFLNK:
        return "symlink";
      case S_IFIFO:
        return "fifo";
      case S_IFSOCK:
        return "socket";
      case S_IFCHR:
        return "character device";
      default:
        return "block device";
    }
  };
  nlohmann::json out = nlohmann::json::array();
  std::size_t bytes = 2;  // "[]"
  uint64_t left_out = 0;
  auto dump = [](const nlohmann::json& j) {
    // Names are bytes: one that is not UTF-8 shows U+FFFD rather than failing the whole listing.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  // Depth first, by name; a local-only folder is listed once, as everything in it stays local with it.
  std::function<void(const Node&, const std::string&)> walk = [&](const Node& dir, const std::string& prefix) {
    tree.assert_reader_held();  // called below, under the caller's lock (the analysis does not enter lambdas)
    for (const auto& [name, ino] : dir.children) {
      const Node& c = *nodes.at(ino);
      const std::string path = prefix + name;
      if (!key_of(name, c.kind)) {  // by name: a hard link's name starting with '.' is local, its others may not be
        nlohmann::json entry{{"path", path}, {"kind", kind_name(c)}};
        if (c.special == S_IFLNK) entry["target"] = c.target;
        const std::size_t size = dump(entry).size() + 1;
        if (left_out > 0 || bytes + size + kMoreEntry > kMaxListing) {
          ++left_out;
          continue;
        }
        bytes += size;
        out.push_back(std::move(entry));
      } else if (c.is_directory()) {
        walk(c, path + "/");
      }
    }
  };
  walk(data, "");
  if (left_out > 0) out.push_back({{"more", left_out}});
  return dump(out);
}

}  // namespace pfs::core
