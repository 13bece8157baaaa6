#include "network/local/sandbox_root.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pfs::network::local {
namespace {

namespace fs = std::filesystem;

std::string inside_root(const fs::path& path) { return std::string(kBuildRoot) + path.string(); }

// Every folder from the root down to `path` (its parents when it is a file), each once, parents first.
void add_directories(RootPlan& plan, const fs::path& path, bool include_self) {
  fs::path at = "/";
  const fs::path last = include_self ? path : path.parent_path();
  for (const auto& part : last.relative_path()) {
    at /= part;
    const std::string target = inside_root(at);
    bool known = false;
    for (const auto& step : plan.steps)
      known = known || (step.kind == RootStep::Kind::Directory && step.target == target);
    if (!known) plan.steps.push_back({RootStep::Kind::Directory, target, ""});
  }
}

void add_bind(RootPlan& plan, const std::string& source, const fs::path& inside, bool read_only, bool is_directory) {
  add_directories(plan, inside, is_directory);
  plan.steps.push_back({RootStep::Kind::Bind, inside_root(inside), source, read_only, is_directory});
}

// The flags a bind mount inherits from its source and cannot drop in a user namespace (the kernel locks them): a
// read-only remount must repeat them or it fails with EPERM.
unsigned long locked_flags(const char* target) {
  struct statfs st {};
  constexpr unsigned long kValid = 0x0020;  // the kernel's ST_VALID: f_flags is filled in (glibc does not name it)
  if (::statfs(target, &st) != 0 || !(st.f_flags & kValid)) return 0;
  unsigned long flags = 0;
  if (st.f_flags & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flags & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flags & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flags & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flags & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flags & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

int create_file(const char* target, const std::string& content) {
  const int fd = ::open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return errno == EEXIST ? 0 : errno;
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      return error;
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return 0;
}

int carry_out(const RootStep& step) {
  const char* target = step.target.c_str();
  struct stat st {};
  switch (step.kind) {
    case RootStep::Kind::Directory:
      if (::lstat(target, &st) == 0) return 0;
      return ::mkdir(target, 0755) == 0 ? 0 : errno;
    case RootStep::Kind::Symlink:
      return ::symlink(step.source.c_str(), target) == 0 ? 0 : errno;
    case RootStep::Kind::File:
      return create_file(target, step.source);
    case RootStep::Kind::Tmpfs:
      if (::lstat(target, &st) != 0 && ::mkdir(target, 0755) != 0) return errno;
      return ::mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, step.source.c_str()) == 0 ? 0 : errno;
    case RootStep::Kind::Proc:
      if (::mkdir(target, 0555) != 0) return errno;
      return ::mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0 ? 0 : errno;
    case RootStep::Kind::Device:
      if (const int error = create_file(target, {}); error != 0) return error;
      // Bound as it is: the host's /dev mount allows devices, which a mount made in a user namespace never does.
      return ::mount(step.source.c_str(), target, nullptr, MS_BIND, nullptr) == 0 ? 0 : errno;
    case RootStep::Kind::Bind: {
      if (::lstat(target, &st) != 0) {
        const int error = step.is_directory ? (::mkdir(target, 0755) == 0 ? 0 : errno) : create_file(target, {});
        if (error != 0) return error;
      }
      if (::move_mount(step.tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0) return errno;
      const unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | locked_flags(target) |
                                  (step.read_only ? static_cast<unsigned long>(MS_RDONLY) : 0UL);
      return ::mount(nullptr, target, nullptr, flags, nullptr) == 0 ? 0 : errno;
    }
  }
  return EINVAL;
}

}  // namespace

std::string RootPlan::describe(std::size_t step) const {
  if (step >= steps.size()) return "switching to the new root";
  const RootStep& s = steps[step];
  const std::string inside = s.target.substr(std::strlen(kBuildRoot));
  switch (s.kind) {
    case RootStep::Kind::Directory:
      return "creating " + inside;
    case RootStep::Kind::Symlink:
      return "linking " + inside;
    case RootStep::Kind::File:
      return "writing " + inside;
    case RootStep::Kind::Tmpfs:
      return "mounting a tmpfs on " + (inside.empty() ? std::string("/") : inside);
    case RootStep::Kind::Proc:
      return "mounting proc on " + inside;
    case RootStep::Kind::Device:
      return "binding " + s.source;
    case RootStep::Kind::Bind:
      return "binding " + inside;
  }
  return "?";
}

RootPlan plan_root(const std::vector<BoundPath>& bound, uint64_t tmp_bytes, const std::string& passwd,
                   const std::string& group) {
  RootPlan plan;
  plan.steps.push_back({RootStep::Kind::Tmpfs, kBuildRoot, "mode=0755,size=4m"});
  // The system: /usr whole; the top-level entries of a merged /usr (symlinks) as they are, or bound if folders.
  add_bind(plan, "/usr", "/usr", true, true);
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    const auto status = fs::symlink_status(top, ec);
    if (ec || !fs::exists(status)) continue;
    if (fs::is_symlink(status)) {
      plan.steps.push_back({RootStep::Kind::Symlink, inside_root(top), fs::read_symlink(top, ec).string()});
    } else if (fs::is_directory(status)) {
      add_bind(plan, top, top, true, true);
    }
  }
  plan.steps.push_back({RootStep::Kind::Directory, inside_root("/etc"), ""});
  for (const char* entry : {"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                            "/etc/localtime", "/etc/nsswitch.conf"}) {
    std::error_code ec;
    const auto status = fs::status(entry, ec);  // followed: /etc/localtime is a symlink into /usr/share/zoneinfo
    if (!ec && fs::exists(status)) add_bind(plan, entry, entry, true, fs::is_directory(status));
  }
  plan.steps.push_back({RootStep::Kind::File, inside_root("/etc/passwd"), passwd});
  plan.steps.push_back({RootStep::Kind::File, inside_root("/etc/group"), group});
  plan.steps.push_back({RootStep::Kind::Directory, inside_root("/dev"), ""});
  for (const char* device : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"})
    plan.steps.push_back({RootStep::Kind::Device, inside_root(device), device});
  plan.steps.push_back({RootStep::Kind::Symlink, inside_root("/dev/fd"), "/proc/self/fd"});
  plan.steps.push_back({RootStep::Kind::Symlink, inside_root("/dev/stdin"), "/proc/self/fd/0"});
  plan.steps.push_back({RootStep::Kind::Symlink, inside_root("/dev/stdout"), "/proc/self/fd/1"});
  plan.steps.push_back({RootStep::Kind::Symlink, inside_root("/dev/stderr"), "/proc/self/fd/2"});
  plan.steps.push_back({RootStep::Kind::Proc, inside_root("/proc"), ""});
  plan.steps.push_back({RootStep::Kind::Tmpfs, inside_root("/tmp"), "mode=1777,size=" + std::to_string(tmp_bytes)});
  for (const auto& b : bound) add_bind(plan, b.source, b.inside, b.read_only, b.is_directory);
  return plan;
}

int build_root(RootPlan& plan, std::size_t* failed_step) {
  // Nothing mounted here may reach the host's namespace, nor anything the host mounts later reach this one.
  *failed_step = plan.steps.size();
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    RootStep& step = plan.steps[i];
    if (step.kind != RootStep::Kind::Bind) continue;
    step.tree = ::open_tree(AT_FDCWD, step.source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (step.tree < 0) {
      *failed_step = i;
      return errno;
    }
  }
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    if (const int error = carry_out(plan.steps[i]); error != 0) {
      *failed_step = i;
      return error;
    }
  }
  *failed_step = plan.steps.size();
  // pivot_root(".", "."): the old root ends up stacked on the new one, and is then detached from it.
  if (::chdir(kBuildRoot) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0 || ::umount2(".", MNT_DETACH) != 0 ||
      ::chdir("/") != 0)
    return errno;
  if (::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) return errno;
  return 0;
}

}  // namespace pfs::network::local
