#include "network/local/sandbox_filter.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network::local {
namespace {

using Context = std::unique_ptr<void, decltype(&seccomp_release)>;
using K = WatchedCall::Kind;
constexpr bool W = true, R = false;

// The calls of the old single-path family exist only on some architectures (x86-64 has them, arm64 not).
const WatchedCall kCalls[] = {
#ifdef SYS_open
    {SYS_open, K::Open, {-1, 0, R}, {}, 1},
    {SYS_creat, K::Path, {-1, 0, W}, {}},
    {SYS_mkdir, K::Path, {-1, 0, W}, {}},
    {SYS_mknod, K::Path, {-1, 0, W}, {}},
    {SYS_unlink, K::Path, {-1, 0, W}, {}},
    {SYS_rmdir, K::Path, {-1, 0, W}, {}},
    {SYS_rename, K::Path, {-1, 0, W}, {-1, 1, W}},
    {SYS_link, K::Path, {-1, 0, R}, {-1, 1, W}},
    {SYS_symlink, K::Path, {-1, 1, W}, {}},
    {SYS_chmod, K::Path, {-1, 0, W}, {}},
    {SYS_chown, K::Path, {-1, 0, W}, {}},
    {SYS_lchown, K::Path, {-1, 0, W}, {}},
    {SYS_stat, K::Path, {-1, 0, R}, {}},
    {SYS_lstat, K::Path, {-1, 0, R}, {}},
    {SYS_access, K::Path, {-1, 0, R}, {}},
    {SYS_readlink, K::Path, {-1, 0, R}, {}},
#endif
    {SYS_openat, K::Open, {0, 1, R}, {}, 2},
    {SYS_openat2, K::Openat2, {0, 1, R}, {}, 2},
    {SYS_mkdirat, K::Path, {0, 1, W}, {}},
    {SYS_mknodat, K::Path, {0, 1, W}, {}},
    {SYS_unlinkat, K::Path, {0, 1, W}, {}},
    {SYS_renameat, K::Path, {0, 1, W}, {2, 3, W}},
    {SYS_renameat2, K::Path, {0, 1, W}, {2, 3, W}},
    {SYS_linkat, K::Path, {0, 1, R}, {2, 3, W}},
    {SYS_symlinkat, K::Path, {1, 2, W}, {}},
    {SYS_truncate, K::Path, {-1, 0, W}, {}},
    {SYS_fchmodat, K::Path, {0, 1, W}, {}},
    {SYS_fchownat, K::Path, {0, 1, W}, {}},
    {SYS_newfstatat, K::Path, {0, 1, R}, {}},
    {SYS_statx, K::Path, {0, 1, R}, {}},
    {SYS_faccessat, K::Path, {0, 1, R}, {}},
    {SYS_faccessat2, K::Path, {0, 1, R}, {}},
    {SYS_readlinkat, K::Path, {0, 1, R}, {}},
    {SYS_chdir, K::Path, {-1, 0, R}, {}},
    {SYS_connect, K::Connect, {}, {}},
    {SYS_sendto, K::SendTo, {}, {}},
    {SYS_sendmsg, K::SendMsg, {}, {}},
    {SYS_sendmmsg, K::SendMsg, {}, {}},  // its first message: an mmsghdr starts with the msghdr
};

void check(int result, const char* what) {
  if (result < 0)
    throw Error(EIO,
                std::string("cannot build the iApp's system-call filter: ") + what + ": " + std::strerror(-result));
}

}  // namespace

const WatchedCall* watched_call(long nr) {
  for (const WatchedCall& call : kCalls)
    if (call.nr == nr) return &call;
  return nullptr;
}

SandboxFilter SandboxFilter::compile() {
  Context context(seccomp_init(SCMP_ACT_ALLOW), &seccomp_release);
  if (!context) throw Error(EIO, "cannot build the iApp's system-call filter");
  scmp_filter_ctx ctx = context.get();
  check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW), "foreign architectures");
  for (const WatchedCall& call : kCalls) {
    const int nr = static_cast<int>(call.nr);
    // sendto without an address sends on a connected socket, whose connect was already seen.
    if (call.kind == K::SendTo) check(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1, SCMP_A4(SCMP_CMP_NE, 0)), "sendto");
    else check(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0), "a watched call");
  }
  check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(io_uring_setup), 0), "io_uring_setup");

  // The compiled program, through a memory file (libseccomp 2.5 exports only to a file descriptor).
  UniqueFd memory(::memfd_create("iapp-filter", MFD_CLOEXEC));
  if (!memory) throw_system_error("cannot build the iApp's system-call filter");
  check(seccomp_export_bpf(ctx, memory.get()), "export");
  const off_t size = ::lseek(memory.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    throw Error(EIO, "cannot build the iApp's system-call filter: bad program size");
  SandboxFilter filter;
  filter.program_.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (::pread(memory.get(), filter.program_.data(), static_cast<std::size_t>(size), 0) != size)
    throw_system_error("cannot build the iApp's system-call filter");
  return filter;
}

int SandboxFilter::install() const {
  struct sock_fprog program {
    static_cast<unsigned short>(program_.size()), const_cast<sock_filter*>(program_.data())
  };
  const long fd = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
  return fd >= 0 ? static_cast<int>(fd) : -errno;
}

}  // namespace pfs::network::local
