// The parts of the iApp sandbox that let the runner name why an app ended: its memory cgroup (found in the
// runner's own, OOM kills told), its system-call filter (a network socket kills the process, AF_UNIX still works),
// and the outcome's words; then whole sandboxed runs of a Python app. No mount needed; the live cgroup case only
// where this process may make one (root, or a delegated cgroup), a run elsewhere checks the RLIMIT_DATA fallback.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "network/local/sandbox.hpp"
#include "network/local/sandbox_cgroup.hpp"
#include "network/local/sandbox_filter.hpp"
#include "temp_dir.hpp"

using namespace pfs;
using namespace pfs::network::local;

namespace {

namespace fs = std::filesystem;

void put(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// Runs `body` in a forked child (its return value the exit status); its wait status.
template <typename Body>
int in_child(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

int filtered(int family) {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || NetworkFilter::compile().install() != 0) return 100;
  const int fd = ::socket(family, SOCK_STREAM, 0);
  return fd >= 0 ? 0 : 101;
}

}  // namespace

TEST_CASE("sandbox cgroup: the runner's memory cgroup is found in v2, else in v1, else nowhere", "[network]") {
  test::TempDir root;
  const std::string hybrid = "4:memory:/svc/daemon\n1:cpu,cpuacct:/\n0::/user.slice\n";
  SECTION("v1 memory controller") {
    put(root.path / "memory/svc/daemon/memory.limit_in_bytes", "9223372036854771712\n");
    const auto place = find_memory_cgroup(hybrid, root.path);
    REQUIRE(place);
    CHECK(place->dir == root.path / "memory/svc/daemon");
    CHECK_FALSE(place->v2);
  }
  SECTION("a unified hierarchy without memory leaves it to v1") {
    put(root.path / "unified/user.slice/cgroup.controllers", "hugetlb\n");
    put(root.path / "memory/svc/daemon/memory.limit_in_bytes", "0\n");
    REQUIRE(find_memory_cgroup(hybrid, root.path));
    CHECK_FALSE(find_memory_cgroup(hybrid, root.path)->v2);
  }
  SECTION("v2 with memory, mounted at the root or under unified") {
    put(root.path / "user.slice/cgroup.controllers", "cpu io memory pids\n");
    auto place = find_memory_cgroup("0::/user.slice\n", root.path);
    REQUIRE(place);
    CHECK(place->dir == root.path / "user.slice");
    CHECK(place->v2);
    fs::remove_all(root.path / "user.slice");
    put(root.path / "unified/user.slice/cgroup.controllers", "memory\n");
    place = find_memory_cgroup(hybrid, root.path);
    REQUIRE(place);
    CHECK(place->dir == root.path / "unified/user.slice");
    CHECK(place->v2);
  }
  SECTION("none") {
    CHECK_FALSE(find_memory_cgroup(hybrid, root.path));
    CHECK_FALSE(find_memory_cgroup("", root.path));
    CHECK_FALSE(find_memory_cgroup("garbage\n", root.path));
  }
}

TEST_CASE("sandbox cgroup: a process past the limit is OOM-killed and told, and the cgroup goes with it", "[network]") {
  auto cgroup = MemoryCgroup::create(32 << 20);
  if (!cgroup) {
    WARN("no writable memory cgroup here (not root, not delegated): nothing to check");
    return;
  }
  const fs::path dir = cgroup->dir();
  CHECK(fs::is_directory(dir));
  CHECK_FALSE(cgroup->oom_killed());
  int go[2];
  REQUIRE(::pipe(go) == 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    char byte;
    ::close(go[1]);
    if (::read(go[0], &byte, 1) != 1) ::_exit(1);
    for (int i = 0; i < 16; ++i) {  // 256 MiB, touched
      void* block = ::malloc(16 << 20);
      if (block) std::memset(block, 1, 16 << 20);
    }
    ::_exit(0);
  }
  ::close(go[0]);
  cgroup->add(pid);
  REQUIRE(::write(go[1], "g", 1) == 1);
  ::close(go[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  CHECK(cgroup->oom_killed());
  cgroup.reset();
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("sandbox filter: a network socket kills the process, while AF_UNIX, AF_NETLINK and other calls work",
          "[network]") {
  for (const int family : {AF_INET, AF_INET6, AF_PACKET, AF_VSOCK, AF_BLUETOOTH}) {
    INFO("family " << family);
    const int status = in_child([family] { return filtered(family); });
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == kNetworkSignal);
  }
  const int unix_socket = in_child([] { return filtered(AF_UNIX); });
  CHECK((WIFEXITED(unix_socket) && WEXITSTATUS(unix_socket) == 0));
  const int netlink = in_child([] {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || NetworkFilter::compile().install() != 0) return 100;
    return ::socket(AF_NETLINK, SOCK_RAW, 0) >= 0 ? 0 : 101;  // NETLINK_ROUTE
  });
  CHECK((WIFEXITED(netlink) && WEXITSTATUS(netlink) == 0));
  // io_uring would make sockets past the filter: its setup is refused, so apps fall back to the usual calls.
  const int uring = in_child([] {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || NetworkFilter::compile().install() != 0) return 100;
    struct io_uring_params params {};
    return ::syscall(SYS_io_uring_setup, 4, &params) < 0 && errno == ENOSYS ? 0 : 102;
  });
  CHECK((WIFEXITED(uring) && WEXITSTATUS(uring) == 0));
}

TEST_CASE("sandbox outcome: the memory and network ends are named, an unwatched memory limit a maybe", "[network]") {
  network::AppLimits limits;
  limits.memory_mib = 256;
  SandboxOutcome memory{SandboxOutcome::End::Memory, 0, true};
  CHECK(memory.describe(limits) == "the iApp exceeded its memory limit of 256 MiB and was stopped");
  SandboxOutcome network{SandboxOutcome::End::Network, SIGSYS, true};
  CHECK(network.describe(limits) == "the iApp was stopped: it tried to open a network socket; apps have no network");
  SandboxOutcome watched{SandboxOutcome::End::Exited, 1, true};
  CHECK(watched.describe(limits) == "the iApp exited with status 1");
  SandboxOutcome unwatched{SandboxOutcome::End::Exited, 1, false};
  CHECK(unwatched.describe(limits) == "the iApp exited with status 1; it may have hit its memory limit of 256 MiB");
  SandboxOutcome aborted{SandboxOutcome::End::Signaled, SIGABRT, false};
  CHECK(aborted.describe(limits).find("may have hit its memory limit") != std::string::npos);
  SandboxOutcome interrupted{SandboxOutcome::End::Signaled, SIGINT, false};
  CHECK(interrupted.describe(limits).find("memory") == std::string::npos);
}

TEST_CASE("sandbox run: an app past its memory limit or opening a network socket ends naming it, AF_UNIX works",
          "[network]") {
  test::TempDir dir;
  const fs::path task = dir.path / "task", in = task / "iexec_in", out = task / "iexec_out";
  fs::create_directories(in);
  fs::create_directories(out);
  const auto app = dir.write("app.py",
                             "#!/usr/bin/python3\nimport socket, sys\n"
                             "if sys.argv[1] == 'memory': b = bytearray(512 << 20)\n"
                             "if sys.argv[1] == 'unix': socket.socket(socket.AF_UNIX).close()\n"
                             "if sys.argv[1] == 'network': socket.socket(socket.AF_INET)\n",
                             fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec);
  network::AppLimits limits;
  limits.wall_seconds = 60;
  limits.memory_mib = 128;
  auto run = [&](const std::string& what) {
    return run_sandboxed({app, {what}, {"PATH=/usr/bin:/bin"}, in, out, task, {}, limits});
  };
  const bool watched = MemoryCgroup::create(limits.memory_mib << 20) != nullptr;

  const auto unix_socket = run("unix");
  CHECK(unix_socket.succeeded());
  CHECK(unix_socket.memory_watched == watched);
  const auto network = run("network");
  CHECK(network.end == SandboxOutcome::End::Network);
  const auto memory = run("memory");
  if (watched) {
    CHECK(memory.end == SandboxOutcome::End::Memory);
  } else {  // RLIMIT_DATA: Python's MemoryError, exit status 1, and a maybe in the message
    CHECK(memory.end == SandboxOutcome::End::Exited);
    CHECK(memory.describe(limits).find("it may have hit its memory limit of 128 MiB") != std::string::npos);
  }
}
