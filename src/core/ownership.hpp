// Who owns a node and who may change its owner, modes and times (internal to src/core): the multi-user rules of
// POSIX as Linux applies them, for a mount with allow_other. The kernel checks most of them before a request
// reaches the daemon (default_permissions: setattr_prepare, may_delete's sticky check, mode_strip_sgid at create);
// the core applies the same rules again so that they hold for every caller of Filesystem and are unit tested, and
// it is the one to clear setuid/setgid on writes, truncates and chown (the session asks for
// FUSE_CAP_HANDLE_KILLPRIV: the kernel leaves that to the file system). Pure functions of the node's attributes
// and the caller; std::nullopt as the caller is a call from inside the daemon (tests, tools): no rule applies.
#pragma once
#include <sys/stat.h>

#include <optional>
#include <string>

#include "protectedfs/core/filesystem.hpp"

namespace pfs::core::ownership {

// Root (uid 0) has every capability the kernel would grant it here (CAP_CHOWN, CAP_FOWNER, CAP_FSETID).
inline bool privileged(const OptionalCaller& caller) { return !caller || caller->uid == 0; }
// The caller's primary gid or one of its supplementary groups.
bool in_group(const Caller& caller, gid_t gid);
// Read, write or search permission (R_OK, W_OK, X_OK) by the modes, as the kernel's generic_permission decides it.
bool may_access(const Attributes& node, const Caller& caller, int what);

// The owner and mode of a new node in `parent` (mode: the requested permission bits): the caller's uid (the
// mounting uid without a caller), and its gid unless the parent is setgid, whose gid it then takes; a new folder
// in a setgid folder is setgid too (as ext4's inode_init_owner).
struct NewOwner {
  uid_t uid;
  gid_t gid;
  uint32_t mode;
};
NewOwner new_node(const Attributes& parent, bool directory, uint32_t mode, const OptionalCaller& caller,
                  uid_t mount_uid, gid_t mount_gid);

// chown(2): the owner changes for root only; the group for root, or for the owner to one of its groups (or to the
// group it has). EPERM otherwise. Absent values (-1) change nothing and need no right.
void check_chown(const Attributes& node, std::optional<uid_t> uid, std::optional<gid_t> gid,
                 const OptionalCaller& caller, const std::string& name);
// chmod(2): the owner or root (EPERM otherwise), or a writer that only drops setuid/setgid (what its write does);
// the setgid bit is dropped when the caller is not root and not in the node's group (`gid`: the group it has after
// this change). Returns the mode to store.
uint32_t chmod_mode(const Attributes& node, uint32_t mode, gid_t gid, const OptionalCaller& caller,
                    const std::string& name);
// The mode with setuid/setgid cleared as a change of content (write, truncate: `by_content`) or of owner (chown)
// requires: setuid always, setgid when the group may execute (else it marks mandatory locking), or on chown when
// the caller is not in the group. A content change by root keeps them (CAP_FSETID); folders keep theirs.
uint32_t mode_without_privileges(const Attributes& node, const OptionalCaller& caller, bool by_content);
// utimensat(2): explicit times are the owner's or root's (EPERM); the current time (UTIME_NOW) also a writer's
// (EACCES otherwise).
void check_times(const Attributes& node, bool explicit_time, bool current_time, const OptionalCaller& caller,
                 const std::string& name);
// unlink, rmdir and rename out of a sticky folder: only the entry's owner, the folder's owner or root (EPERM).
void check_sticky(const Attributes& dir, const Attributes& entry, const OptionalCaller& caller,
                  const std::string& name);

}  // namespace pfs::core::ownership
