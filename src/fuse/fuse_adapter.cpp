#define FUSE_USE_VERSION 312
#include "fuse/fuse_adapter.hpp"

#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <csignal>
#include <cstring>

#include <spdlog/spdlog.h>

#include "fuse/requester_cpu.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::fuse {
namespace {

constexpr double kTimeout = 1.0;  // attributes change only through this mount, so the kernel may cache them

struct Context {
  core::Filesystem& fs;
  std::filesystem::path statfs_path;
};

Context& ctx(fuse_req_t req) { return *static_cast<Context*>(fuse_req_userdata(req)); }

// The process behind a request: the core decides what only the mounting uid may do, and whom new nodes belong to.
core::Caller caller_of(fuse_req_t req) {
  const fuse_ctx* c = fuse_req_ctx(req);
  return core::Caller{c->uid, c->gid, {}};
}

// With its supplementary groups (libfuse reads them from /proc: only where a rule needs them, chgrp and chmod).
core::Caller caller_with_groups(fuse_req_t req) {
  core::Caller caller = caller_of(req);
  std::vector<gid_t> groups(64);
  int count = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
  if (count > static_cast<int>(groups.size())) {
    groups.resize(static_cast<std::size_t>(count));
    count = fuse_req_getgroups(req, count, groups.data());
  }
  if (count > 0) {  // else unknown (no /proc): the primary gid alone, the stricter answer
    groups.resize(std::min(groups.size(), static_cast<std::size_t>(count)));
    caller.groups = std::move(groups);
  }
  return caller;
}

// Runs one operation: its replies are sent inside `body`; a failure becomes the errno reply.
template <typename Body>
void serve(fuse_req_t req, const char* op, Body&& body) {
  const pid_t requester = fuse_req_ctx(req)->pid;  // read now: the reply frees the request
  try {
    body();
  } catch (const Error& e) {
    // Lookups of absent names and attributes are routine (the kernel and tools probe): no log line for those.
    if (e.code() != ENOENT && e.code() != ENODATA) spdlog::warn("{}: {} ({})", op, e.what(), std::strerror(e.code()));
    fuse_reply_err(req, e.code());
  } catch (const std::exception& e) {
    spdlog::error("{}: unexpected failure, answered EIO: {}", op, e.what());
    fuse_reply_err(req, EIO);
  }
  follow_requester(requester);
}

struct stat to_stat(const core::Attributes& a) {
  struct stat st {};
  st.st_ino = a.ino;
  st.st_mode = (a.kind == core::NodeKind::Special ? a.special
                : a.kind == core::NodeKind::Field ? S_IFREG
                                                  : S_IFDIR) |
               a.mode;
  st.st_rdev = static_cast<dev_t>(a.rdev);
  st.st_nlink = a.nlink;
  st.st_size = static_cast<off_t>(a.size);
  st.st_blocks = static_cast<blkcnt_t>((a.size + 511) / 512);
  st.st_blksize = 1 << 20;  // the preferred I/O size: cp and friends then write 1 MiB (max_write) per request
  st.st_uid = a.uid;
  st.st_gid = a.gid;
  st.st_mtim = a.mtime;
  st.st_atim = a.atime;
  st.st_ctim = a.ctime;
  return st;
}

void reply_entry(fuse_req_t req, const core::Attributes& a) {
  fuse_entry_param e{};
  e.ino = a.ino;
  e.attr = to_stat(a);
  e.attr_timeout = kTimeout;
  e.entry_timeout = kTimeout;
  fuse_reply_entry(req, &e);
}

void reply_sized(fuse_req_t req, size_t size, const std::string& data) {
  if (size == 0) {
    fuse_reply_xattr(req, data.size());
  } else if (size < data.size()) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, data.data(), data.size());
  }
}

// A file opened write-only (cp, rsync, dd, a shell's redirection: how files are copied in) is written straight from
// the writer's buffer to the daemon, not through the kernel's page cache of the file (FOPEN_DIRECT_IO): those pages
// were a copy of every byte into fresh memory that nobody reads back through this descriptor, and fresh pages are
// what a virtual machine's host makes slow when it has taken memory back (~150 MB/s at times on the benchmark
// machine, against ~700 without them). A write-only descriptor cannot be mapped, so mmap is not affected; readers
// keep the page cache, which the kernel invalidates over what a direct write changed.
//
// close(2) of a read-only descriptor needs nothing from the core: noflush spares it the FLUSH round trip. A writable
// one flushes (Filesystem::flush): its last writes may still be landing (written behind, staging/write_behind.hpp),
// and close must not return before they survive a kill -9 of the daemon (SPEC §5).
void set_open_options(fuse_file_info* fi) {
  const int mode = fi->flags & O_ACCMODE;
  if (mode == O_WRONLY) fi->direct_io = 1;
  fi->noflush = mode == O_RDONLY;
}

void op_init(void*, fuse_conn_info* conn) {
  conn->max_write = 1 << 20;  // fewer, larger writes
  if (conn->capable & FUSE_CAP_SPLICE_READ) conn->want &= ~static_cast<unsigned>(FUSE_CAP_SPLICE_READ);
  // Always readdirplus (not only for the first chunk of a listing): attributes are in memory, so every entry's
  // comes at no cost, and `ls -l` of ten thousand protected data then stats nothing through FUSE.
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_READDIRPLUS_AUTO);
  // The core clears setuid/setgid on writes, truncates (O_TRUNC included) and chown: it knows the caller. Where the
  // kernel still does it by a chmod in the writer's name (Linux 6.x with libfuse 3.14, though this is asked for),
  // the core accepts that chmod from a writer (core/ownership.hpp).
  if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV) conn->want |= FUSE_CAP_HANDLE_KILLPRIV;
}

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  serve(req, "lookup", [&] {
    std::optional<core::Attributes> found;
    try {
      found = ctx(req).fs.find(parent, name);
    } catch (const Error& e) {
      if (e.code() != ENOENT) throw;  // a parent gone meanwhile: absent too
    }
    if (found) return reply_entry(req, *found);
    // A negative entry the kernel may cache like a positive one: tools probe for absent names all the time (cp,
    // rsync, shells), and names appear only through this mount or the tree sync (seen within kTimeout).
    fuse_entry_param negative{};
    negative.entry_timeout = kTimeout;
    fuse_reply_entry(req, &negative);
  });
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  serve(req, "getattr", [&] {
    const struct stat st = to_stat(ctx(req).fs.getattr(ino));
    fuse_reply_attr(req, &st, kTimeout);
  });
}

void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info*) {
  serve(req, "setattr", [&] {
    core::Filesystem::SetAttr change;
    if (to_set & FUSE_SET_ATTR_SIZE) change.size = static_cast<uint64_t>(attr->st_size);
    if (to_set & FUSE_SET_ATTR_MODE) change.mode = attr->st_mode;
    if (to_set & FUSE_SET_ATTR_UID) change.uid = attr->st_uid;
    if (to_set & FUSE_SET_ATTR_GID) change.gid = attr->st_gid;
    // utimensat: UTIME_NOW comes as *_NOW (passed on as UTIME_NOW: the core's rules differ), UTIME_OMIT as neither.
    constexpr timespec kNow{0, UTIME_NOW};
    if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
      change.atime = kNow;
    } else if (to_set & FUSE_SET_ATTR_ATIME) {
      change.atime = attr->st_atim;
    }
    if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
      change.mtime = kNow;
    } else if (to_set & FUSE_SET_ATTR_MTIME) {
      change.mtime = attr->st_mtim;
    }
    // Groups decide a chown (and whether it keeps setgid), whether a chmod keeps setgid, and whether a caller
    // writes through its group (the current time; the kernel's chmod clearing setuid on a write): read for those
    // only, and never for root.
    core::Caller caller = caller_of(req);
    const int group_rules =
        FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID | FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW;
    if (caller.uid != 0 && (to_set & group_rules)) caller = caller_with_groups(req);
    const struct stat st = to_stat(ctx(req).fs.setattr(ino, change, caller));
    fuse_reply_attr(req, &st, kTimeout);
  });
}

void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  serve(req, "mkdir", [&] { reply_entry(req, ctx(req).fs.mkdir(parent, name, mode, caller_of(req))); });
}

void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  serve(req, "create", [&] {
    const core::Attributes a = ctx(req).fs.create(parent, name, mode, caller_of(req));
    fuse_entry_param e{};
    e.ino = a.ino;
    e.attr = to_stat(a);
    e.attr_timeout = e.entry_timeout = kTimeout;
    set_open_options(fi);
    fuse_reply_create(req, &e, fi);
  });
}

void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  serve(req, "mknod", [&] { reply_entry(req, ctx(req).fs.mknod(parent, name, mode, rdev, caller_of(req))); });
}

void op_symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  serve(req, "symlink", [&] { reply_entry(req, ctx(req).fs.symlink(parent, name, target, caller_of(req))); });
}

void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  serve(req, "readlink", [&] { fuse_reply_readlink(req, ctx(req).fs.readlink(ino).c_str()); });
}

// An entry the kernel holds as after a lookup (the core counts it), as passthrough_hp's link does.
void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t new_parent, const char* new_name) {
  serve(req, "link", [&] { reply_entry(req, ctx(req).fs.link(ino, new_parent, new_name)); });
}

void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  serve(req, "unlink", [&] {
    ctx(req).fs.unlink(parent, name, caller_of(req));
    fuse_reply_err(req, 0);
  });
}

void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  serve(req, "rmdir", [&] {
    ctx(req).fs.rmdir(parent, name, caller_of(req));
    fuse_reply_err(req, 0);
  });
}

void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent, const char* new_name,
               unsigned int flags) {
  serve(req, "rename", [&] {
    ctx(req).fs.rename(parent, name, new_parent, new_name, flags, caller_of(req));
    fuse_reply_err(req, 0);
  });
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  serve(req, "open", [&] {
    ctx(req).fs.open(ino, fi->flags, caller_of(req));
    set_open_options(fi);
    fuse_reply_open(req, fi);
  });
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  serve(req, "read", [&] {
    thread_local std::vector<uint8_t> buffer;
    buffer.resize(size);
    const size_t n = ctx(req).fs.read(ino, static_cast<uint64_t>(off), buffer);
    fuse_reply_buf(req, reinterpret_cast<const char*>(buffer.data()), n);
  });
}

void op_write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  serve(req, "write", [&] {
    // A write from the page cache (writepage) has no caller; none is cached here, but say so rather than guess.
    const core::OptionalCaller caller = fi && fi->writepage ? core::OptionalCaller{} : caller_of(req);
    const size_t n = ctx(req).fs.write(ino, static_cast<uint64_t>(off),
                                       ByteView(reinterpret_cast<const uint8_t*>(buf), size), caller);
    fuse_reply_write(req, n);
  });
}

// close(2) of a writable descriptor: its writes land before it returns (set_open_options).
void op_flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  serve(req, "flush", [&] {
    ctx(req).fs.flush(ino);
    fuse_reply_err(req, 0);
  });
}

void op_release(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  serve(req, "release", [&] {
    ctx(req).fs.release(ino);
    fuse_reply_err(req, 0);
  });
}

// The kernel dropped entries it had been given (lookup, create, mkdir, readdirplus): no reply is sent.
void forget_one(fuse_req_t req, fuse_ino_t ino, uint64_t count) {
  try {
    ctx(req).fs.forget_lookups(ino, count);
  } catch (const std::exception& e) {
    spdlog::error("forget: unexpected failure: {}", e.what());
  }
}

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t count) {
  forget_one(req, ino, count);
  fuse_reply_none(req);
}

void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  for (size_t i = 0; i < count; ++i) forget_one(req, forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void op_fsync(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info*) {
  serve(req, "fsync", [&] {
    ctx(req).fs.fsync(ino);
    fuse_reply_err(req, 0);
  });
}

void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info*) {
  serve(req, "fsyncdir", [&] {
    ctx(req).fs.fsync(ino);
    fuse_reply_err(req, 0);
  });
}

// readdir and readdirplus: offsets 1 = ".", 2 = "..", 3 + i = the folder's entry i. With `plus`, each entry carries
// its attributes, so `ls -l` of ten thousand protected data costs one request per buffer, not one lookup per name.
// Each request takes from the core only the entries its buffer can hold (at most one per smallest entry size): a
// folder of 5,000 read in 4 KiB requests (208 of them) copied the whole folder each time, 190 ms for the listing.
template <bool plus>
void list_directory(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off) {
  serve(req, plus ? "readdirplus" : "readdir", [&] {
    const size_t smallest = plus ? fuse_add_direntry_plus(req, nullptr, 0, "x", nullptr, 0)
                                 : fuse_add_direntry(req, nullptr, 0, "x", nullptr, 0);
    const size_t first = off < 2 ? 0 : static_cast<size_t>(off - 2);  // the first entry after "." and ".."
    const auto entries = ctx(req).fs.readdir(ino, first, size / smallest + 1);
    std::vector<char> buffer(size);
    size_t used = 0;
    std::vector<uint64_t> handed;  // readdirplus entries: the kernel holds each one as after a lookup
    for (off_t next = off; next < static_cast<off_t>(first + entries.size()) + 2; ++next) {
      fuse_entry_param e{};
      const char* name;
      if (next < 2) {  // "." and "..": the kernel takes no attributes from these
        name = next == 0 ? "." : "..";
        e.attr.st_ino = ino;
        e.attr.st_mode = S_IFDIR;
      } else {
        const auto& entry = entries[static_cast<size_t>(next - 2) - first];
        name = entry.name.c_str();
        e.ino = entry.ino;
        e.attr = to_stat(entry.attributes);
        e.attr_timeout = e.entry_timeout = kTimeout;
      }
      const size_t need = plus ? fuse_add_direntry_plus(req, buffer.data() + used, size - used, name, &e, next + 1)
                               : fuse_add_direntry(req, buffer.data() + used, size - used, name, &e.attr, next + 1);
      if (need > size - used) break;
      used += need;
      if (plus && next >= 2) handed.push_back(e.ino);
    }
    if (!handed.empty()) ctx(req).fs.remember(handed);
    fuse_reply_buf(req, buffer.data(), used);
  });
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  list_directory<false>(req, ino, size, off);
}

void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  list_directory<true>(req, ino, size, off);
}

void op_statfs(fuse_req_t req, fuse_ino_t) {
  serve(req, "statfs", [&] {
    struct statvfs st {};
    if (::statvfs(ctx(req).statfs_path.c_str(), &st) != 0) throw Error(errno, "statfs of the staging area failed");
    fuse_reply_statfs(req, &st);
  });
}

void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  serve(req, "setxattr", [&] {
    ctx(req).fs.setxattr(ino, name, std::string(value, size), flags, caller_of(req));
    fuse_reply_err(req, 0);
  });
}

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  // Names other than user.* are answered before the core, without a lock or I/O, as the core answers them
  // (ENOTSUP: only user.* is supported): the kernel asks for security.capability on every write(). ENOTSUP rather
  // than ENODATA also makes `ls -l` stop asking for security.selinux and the POSIX ACL after the first file of the
  // mount (coreutils remembers the device as unsupported): a cold `ls -lR` of 5,000 files made 10,003 round trips.
  if (std::strncmp(name, "user.", 5) != 0) {
    const pid_t requester = fuse_req_ctx(req)->pid;  // read now: the reply frees the request
    fuse_reply_err(req, ENOTSUP);
    return follow_requester(requester);
  }
  serve(req, "getxattr", [&] { reply_sized(req, size, ctx(req).fs.getxattr(ino, name)); });
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  serve(req, "listxattr", [&] {
    std::string list;
    for (const auto& name : ctx(req).fs.listxattr(ino)) list.append(name).push_back('\0');
    reply_sized(req, size, list);
  });
}

void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  serve(req, "removexattr", [&] {
    ctx(req).fs.removexattr(ino, name, caller_of(req));
    fuse_reply_err(req, 0);
  });
}

fuse_lowlevel_ops make_ops() {
  fuse_lowlevel_ops ops{};
  ops.init = op_init;
  ops.lookup = op_lookup;
  ops.getattr = op_getattr;
  ops.forget = op_forget;
  ops.forget_multi = op_forget_multi;
  ops.setattr = op_setattr;
  ops.mkdir = op_mkdir;
  ops.mknod = op_mknod;
  ops.symlink = op_symlink;
  ops.readlink = op_readlink;
  ops.link = op_link;
  ops.unlink = op_unlink;
  ops.rmdir = op_rmdir;
  ops.rename = op_rename;
  ops.create = op_create;
  ops.open = op_open;
  ops.read = op_read;
  ops.write = op_write;
  ops.flush = op_flush;
  ops.release = op_release;
  ops.fsync = op_fsync;
  ops.fsyncdir = op_fsyncdir;
  ops.readdir = op_readdir;
  ops.readdirplus = op_readdirplus;
  ops.statfs = op_statfs;
  ops.setxattr = op_setxattr;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;
  ops.removexattr = op_removexattr;
  return ops;
}

// The mounted session, for invalidations from threads that are not FUSE workers (one mount per process).
Mutex session_mutex;
fuse_session* mounted_session PFS_GUARDED_BY(session_mutex) = nullptr;

}  // namespace

void invalidate_entry(uint64_t parent, const std::string& name) {
  MutexLock lock(session_mutex);
  if (!mounted_session) return;
  // ENOENT (the kernel has no such entry cached) is the common, harmless answer.
  (void)fuse_lowlevel_notify_inval_entry(mounted_session, parent, name.c_str(), name.size());
}

int run_session(core::Filesystem& fs, const SessionOptions& options, const std::function<void()>& on_mounted) {
  // default_permissions always: the kernel enforces the modes the tree shows, for every caller (with allow_other,
  // the owner decides with chmod who may read or add content); the core adds what modes cannot say.
  std::vector<std::string> arguments{"protectedfs", "-o", "default_permissions"};
  arguments.insert(arguments.end(), options.fuse_args.begin(), options.fuse_args.end());
  std::vector<char*> argv;
  for (auto& a : arguments) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  // fuse_session_new leaves its own allocated copy of the arguments in `args`: freed on every way out.
  struct ArgsRelease {
    fuse_args* a;
    ~ArgsRelease() { fuse_opt_free_args(a); }
  } release_args{&args};
  Context context{fs, options.statfs_path};
  const fuse_lowlevel_ops ops = make_ops();
  fuse_session* session = fuse_session_new(&args, &ops, sizeof ops, &context);
  if (!session) throw Error(EINVAL, "invalid FUSE options");
  struct Cleanup {
    fuse_session* s;
    bool mounted = false, handlers = false;
    ~Cleanup() {
      {
        MutexLock lock(session_mutex);
        mounted_session = nullptr;
      }
      if (handlers) fuse_remove_signal_handlers(s);
      if (mounted) fuse_session_unmount(s);
      fuse_session_destroy(s);
    }
  } cleanup{session};
  if (fuse_set_signal_handlers(session) != 0) throw Error(EIO, "cannot install signal handlers");
  cleanup.handlers = true;
  if (fuse_session_mount(session, options.mountpoint.c_str()) != 0)
    throw Error(EIO, "cannot mount on " + options.mountpoint.string());
  cleanup.mounted = true;
  {
    MutexLock lock(session_mutex);
    mounted_session = session;
  }
  on_mounted();
  fuse_loop_config* config = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(config, 16);
  const int result = fuse_session_loop_mt(session, config);
  fuse_loop_cfg_destroy(config);
  // libfuse's signal handlers end the loop with the signal's number: SIGTERM (systemctl stop, kill), SIGINT and SIGHUP
  // are asked-for ends, so the daemon exits 0 (systemd would otherwise mark a stopped unit as failed).
  return result == 0 || result == SIGTERM || result == SIGINT || result == SIGHUP ? 0 : 1;
}

}  // namespace pfs::fuse
