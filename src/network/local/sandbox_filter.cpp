#include "network/local/sandbox_filter.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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

void check(int result, const char* what) {
  if (result < 0)
    throw Error(EIO,
                std::string("cannot build the iApp's system-call filter: ") + what + ": " + std::strerror(-result));
}

}  // namespace

NetworkFilter NetworkFilter::compile() {
  Context context(seccomp_init(SCMP_ACT_ALLOW), &seccomp_release);
  if (!context) throw Error(EIO, "cannot build the iApp's system-call filter");
  scmp_filter_ctx ctx = context.get();
  check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW), "foreign architectures");
  // libseccomp takes one comparison per argument and rule: every family but AF_UNIX (1) and AF_NETLINK (16) as
  // AF_UNSPEC (0, refused by the kernel anyway), 2 to 15 one by one, and 17 and above (which also catches a
  // family with high bits set, which the kernel would truncate to an int).
  static_assert(AF_UNIX == 1 && AF_NETLINK == 16);
  const uint32_t kill = SCMP_ACT_KILL_PROCESS;
  for (scmp_datum_t family = 2; family < AF_NETLINK; ++family)
    check(seccomp_rule_add(ctx, kill, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, family)), "socket");
  check(seccomp_rule_add(ctx, kill, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_GT, AF_NETLINK)), "socket");
  check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(io_uring_setup), 0), "io_uring_setup");

  // The compiled program, through a memory file (libseccomp 2.5 exports only to a file descriptor).
  UniqueFd memory(::memfd_create("iapp-filter", MFD_CLOEXEC));
  if (!memory) throw_system_error("cannot build the iApp's system-call filter");
  check(seccomp_export_bpf(ctx, memory.get()), "export");
  const off_t size = ::lseek(memory.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    throw Error(EIO, "cannot build the iApp's system-call filter: bad program size");
  NetworkFilter filter;
  filter.program_.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (::pread(memory.get(), filter.program_.data(), static_cast<std::size_t>(size), 0) != size)
    throw_system_error("cannot build the iApp's system-call filter");
  return filter;
}

int NetworkFilter::install() const {
  struct sock_fprog program {
    static_cast<unsigned short>(program_.size()), const_cast<sock_filter*>(program_.data())
  };
  return ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0 ? 0 : errno;
}

}  // namespace pfs::network::local
