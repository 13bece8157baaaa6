// The only code that talks to libfuse: the low-level API with inode numbers and a multithreaded session loop.
// Each operation marshals its arguments into pfs::core::Filesystem and its result into a reply; one wrapper
// turns a pfs::Error into -errno with one log line, and any other failure into EIO, never a crash.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "protectedfs/core/filesystem.hpp"

namespace pfs::fuse {

struct SessionOptions {
  std::filesystem::path mountpoint;
  std::vector<std::string> fuse_args;  // e.g. "-o", "allow_other", "-d"
  std::filesystem::path statfs_path;   // the file system whose space is reported (where staging lives)
};

// Mounts, calls `on_mounted`, serves until unmounted or signalled, then unmounts; returns 0 on a clean end. It never
// daemonizes: the daemon detached (or not, with -f) before opening anything (cli/mount_command.cpp).
int run_session(core::Filesystem& fs, const SessionOptions& options, const std::function<void()>& on_mounted);

// Tells the kernel that an entry changed behind its back (the tree sync showed, replaced or removed a protected
// data), so the next access looks the name up again instead of using what it cached for up to the entry timeout.
// Safe from any thread that holds no file-system lock; a no-op while nothing is mounted.
void invalidate_entry(uint64_t parent, const std::string& name);

}  // namespace pfs::fuse
