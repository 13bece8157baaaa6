// The multi-user rules of POSIX (ownership.hpp): who owns a new node, who may chown, chmod and set times, what a
// write or chown clears, and what a sticky folder keeps. Errors are EPERM/EACCES as the kernel returns them.
#include "core/ownership.hpp"

#include <unistd.h>

#include <algorithm>

#include "protectedfs/util/error.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core::ownership {
namespace {

bool is_directory(const Attributes& a) { return a.kind != NodeKind::Field && a.kind != NodeKind::Special; }
bool owns(const Attributes& node, const OptionalCaller& caller) {
  return privileged(caller) || caller->uid == node.uid;
}
std::string who(const OptionalCaller& caller) { return "uid " + std::to_string(caller ? caller->uid : 0); }

}  // namespace

bool in_group(const Caller& caller, gid_t gid) {
  return caller.gid == gid || std::find(caller.groups.begin(), caller.groups.end(), gid) != caller.groups.end();
}

bool may_access(const Attributes& node, const Caller& caller, int what) {
  if (caller.uid == 0) {
    // Root reads and writes anything; it executes a file only if someone may (generic_permission).
    return !(what & X_OK) || is_directory(node) || (node.mode & 0111) != 0;
  }
  const uint32_t bits = static_cast<uint32_t>(what & 7);
  const uint32_t granted = caller.uid == node.uid       ? (node.mode >> 6) & 7
                           : in_group(caller, node.gid) ? (node.mode >> 3) & 7
                                                        : node.mode & 7;
  return (granted & bits) == bits;
}

NewOwner new_node(const Attributes& parent, bool directory, uint32_t mode, const OptionalCaller& caller,
                  uid_t mount_uid, gid_t mount_gid) {
  NewOwner made{caller ? caller->uid : mount_uid, caller ? caller->gid : mount_gid, mode & 07777};
  if (parent.mode & S_ISGID) {
    made.gid = parent.gid;
    if (directory) made.mode |= S_ISGID;
  }
  return made;
}

void check_chown(const Attributes& node, std::optional<uid_t> uid, std::optional<gid_t> gid,
                 const OptionalCaller& caller, const std::string& name) {
  if (privileged(caller)) return;
  // As the kernel's chown_ok and chgrp_ok: the owner may "change" the owner to itself, and the group to one of its
  // groups or to the group the node has.
  if (uid && (*uid != node.uid || caller->uid != node.uid))
    throw Error(EPERM, who(caller) + " may not give " + quote(name) + " to uid " + std::to_string(*uid) +
                           ": only root changes an owner");
  if (gid && (caller->uid != node.uid || (*gid != node.gid && !in_group(*caller, *gid))))
    throw Error(EPERM, who(caller) + " may not give " + quote(name) + " to gid " + std::to_string(*gid) +
                           ": only its owner, to one of the owner's groups, or root");
}

uint32_t chmod_mode(const Attributes& node, uint32_t mode, gid_t gid, const OptionalCaller& caller,
                    const std::string& name) {
  mode &= 07777;
  if (!owns(node, caller)) {
    // The kernel clears setuid/setgid on a write or truncate by a chmod in the writer's name (libfuse 3.14 asks
    // for FUSE_HANDLE_KILLPRIV, yet Linux 6.x still sends it): a writer may drop those bits, and only those (or
    // set the mode it has: a second writer's request, once the first one's has cleared them).
    constexpr uint32_t kPrivileges = S_ISUID | S_ISGID;
    const bool drops_only = (mode & ~kPrivileges) == (node.mode & ~kPrivileges) && (mode & ~node.mode) == 0;
    if (!drops_only || !may_access(node, *caller, W_OK))
      throw Error(EPERM, who(caller) + " may not change the modes of " + quote(name) + ": only its owner or root");
    return mode;
  }
  if (!privileged(caller) && !in_group(*caller, gid)) mode &= ~static_cast<uint32_t>(S_ISGID);
  return mode;
}

uint32_t mode_without_privileges(const Attributes& node, const OptionalCaller& caller, bool by_content) {
  if (is_directory(node) || (by_content && privileged(caller))) return node.mode;
  uint32_t mode = node.mode & ~static_cast<uint32_t>(S_ISUID);
  const bool group_executes = (node.mode & S_IXGRP) != 0;
  // A writer's groups are not read per write: setgid without group execute stays, as the kernel's own request
  // through FUSE leaves it too. chown knows the caller's groups.
  const bool member = by_content || privileged(caller) || in_group(*caller, node.gid);
  if (group_executes || !member) mode &= ~static_cast<uint32_t>(S_ISGID);
  return mode;
}

void check_times(const Attributes& node, bool explicit_time, bool current_time, const OptionalCaller& caller,
                 const std::string& name) {
  if (owns(node, caller)) return;
  if (explicit_time)
    throw Error(EPERM, who(caller) + " may not set the times of " + quote(name) + ": only its owner or root");
  if (current_time && !may_access(node, *caller, W_OK))
    throw Error(EACCES, who(caller) + " may not touch " + quote(name) + ": it may not write it");
}

void check_sticky(const Attributes& dir, const Attributes& entry, const OptionalCaller& caller,
                  const std::string& name) {
  if (!(dir.mode & S_ISVTX) || privileged(caller) || caller->uid == entry.uid || caller->uid == dir.uid) return;
  throw Error(EPERM, who(caller) + " may not remove or rename " + quote(name) +
                         ": the folder is sticky and neither it nor the entry is its own");
}

}  // namespace pfs::core::ownership
