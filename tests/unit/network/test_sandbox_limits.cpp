// The parts of the iApp sandbox that let the runner name why an app ended: its memory cgroup (found in the
// runner's own, OOM kills told; v2 also against a fake cgroupfs tree, for machines without a v2 memory controller),
// its system-call filter and supervisor (a violation refused and named), and the outcome's words; then whole
// sandboxed runs of a Python app. No mount needed; the live cgroup case only where this process may make one (root,
// or a delegated cgroup), a run elsewhere checks the RLIMIT_DATA fallback.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
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
#include "network/local/sandbox_supervisor.hpp"
#include "temp_dir.hpp"

using namespace pfs;
using namespace pfs::network::local;

namespace {

namespace fs = std::filesystem;

void put(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
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

TEST_CASE("sandbox cgroup: v2 against a fake cgroupfs, the controller handed down, memory.max set, OOM kills told",
          "[network]") {
  // Plain files stand for cgroupfs's: what the runner writes is read back (the kernel's side is not there, so the
  // process added stays where it is). The live cases below run where this machine offers a memory cgroup.
  test::TempDir root;
  const fs::path parent = root.path / "user.slice";
  put(parent / "cgroup.controllers", "cpu io memory pids\n");
  put(parent / "cgroup.subtree_control", "");
  const auto place = find_memory_cgroup("0::/user.slice\n", root.path);
  REQUIRE(place);
  REQUIRE(place->v2);
  auto cgroup = MemoryCgroup::create_in(*place, 64 << 20);
  REQUIRE(cgroup);
  const fs::path dir = cgroup->dir();
  CHECK(dir.parent_path() == parent);
  CHECK(dir.filename().string().starts_with("protectedfs-" + std::to_string(::getpid()) + "-"));
  auto text = [](const fs::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  CHECK(text(parent / "cgroup.subtree_control") == "+memory");
  CHECK(text(dir / "memory.max") == std::to_string(64 << 20));
  CHECK_FALSE(fs::exists(dir / "memory.limit_in_bytes"));  // nothing of v1's
  cgroup->add(4242);
  CHECK(text(dir / "cgroup.procs") == "4242");
  put(dir / "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n");
  CHECK_FALSE(cgroup->oom_killed());
  put(dir / "memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 0\n");
  CHECK(cgroup->oom_killed());
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

TEST_CASE("sandbox filter: a watched call waits for the supervisor, which names the first violation", "[network]") {
  // The child loads the filter and hands its notification fd over by number (pidfd_getfd), as the sandbox's first
  // process does; it then makes calls the supervisor answers, and exits with how many went as expected.
  int pipe_to_parent[2], pipe_to_child[2];
  REQUIRE(::pipe(pipe_to_parent) == 0);
  REQUIRE(::pipe(pipe_to_child) == 0);
  const auto filter = SandboxFilter::compile();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(100);
    const int listener = filter.install();
    if (::write(pipe_to_parent[1], &listener, sizeof listener) != sizeof listener || listener < 0) ::_exit(101);
    char go = 0;
    if (::read(pipe_to_child[0], &go, 1) != 1) ::_exit(102);
    int expected = 0;
    // A network socket may be made; connecting it is refused; io_uring is refused.
    const int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    expected += tcp >= 0;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    expected += ::connect(tcp, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno == ENETUNREACH;
    struct io_uring_params params {};
    expected += ::syscall(SYS_io_uring_setup, 4, &params) < 0 && errno == ENOSYS;
    // A write outside the writable places is refused; a read goes through to the kernel.
    expected += ::open("/etc/pfs-never-made", O_WRONLY | O_CREAT, 0600) < 0 && errno == EROFS;
    const int passwd = ::open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    expected += passwd >= 0;
    ::_exit(expected);
  }
  ::close(pipe_to_parent[1]);
  ::close(pipe_to_child[0]);
  int number = -1;
  REQUIRE(::read(pipe_to_parent[0], &number, sizeof number) == sizeof number);
  REQUIRE(number >= 0);
  UniqueFd process(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  REQUIRE(process);
  UniqueFd listener(static_cast<int>(::syscall(SYS_pidfd_getfd, process.get(), number, 0)));
  REQUIRE(listener);
  AccessPolicy policy;
  policy.writable = {"/nowhere/out"};
  SandboxSupervisor supervisor(std::move(listener), policy);
  REQUIRE(::write(pipe_to_child[1], "g", 1) == 1);
  for (bool ended = false; !ended;) {
    struct pollfd fds[2] = {{process.get(), POLLIN, 0}, {supervisor.fd(), POLLIN, 0}};
    REQUIRE(::poll(fds, 2, -1) > 0);
    if (fds[1].revents & POLLIN) supervisor.answer_one();
    ended = (fds[0].revents & POLLIN) != 0;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(pipe_to_parent[0]);
  ::close(pipe_to_child[1]);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 5);
  REQUIRE(supervisor.violation());
  CHECK(supervisor.violation()->describe() == "the iApp tried to connect to 127.0.0.1:9, but apps have no network");
}

TEST_CASE("sandbox outcome: the memory end and a violation are named, an unwatched memory limit a maybe", "[network]") {
  network::AppLimits limits;
  limits.memory_mib = 256;
  SandboxOutcome memory{SandboxOutcome::End::Memory, 0, true};
  CHECK(memory.describe(limits) == "the iApp exceeded its memory limit of 256 MiB and was stopped");
  SandboxOutcome watched{SandboxOutcome::End::Exited, 1, true};
  CHECK(watched.describe(limits) == "the iApp exited with status 1");
  SandboxOutcome unwatched{SandboxOutcome::End::Exited, 1, false};
  CHECK(unwatched.describe(limits) == "the iApp exited with status 1; it may have hit its memory limit of 256 MiB");
  SandboxOutcome aborted{SandboxOutcome::End::Signaled, SIGABRT, false};
  CHECK(aborted.describe(limits).find("may have hit its memory limit") != std::string::npos);
  SandboxOutcome interrupted{SandboxOutcome::End::Signaled, SIGINT, false};
  CHECK(interrupted.describe(limits).find("memory") == std::string::npos);
  Violation write;
  write.kind = Violation::Kind::Write;
  write.path = "/etc/x";
  SandboxOutcome carried_on{SandboxOutcome::End::Exited, 0, true, write};
  CHECK_FALSE(carried_on.succeeded());
  CHECK(carried_on.describe(limits) ==
        "the iApp tried to write \"/etc/x\" outside IEXEC_OUT (only IEXEC_OUT and /tmp are writable)");
  SandboxOutcome gave_up{SandboxOutcome::End::Exited, 2, true, write};
  CHECK(gave_up.describe(limits) ==
        "the iApp tried to write \"/etc/x\" outside IEXEC_OUT (only IEXEC_OUT and /tmp are "
        "writable); then the iApp exited with status 2");
}

TEST_CASE(
    "sandbox run: an app past its memory limit, or any of its processes reaching the network, writing outside "
    "IEXEC_OUT or looking up a hidden path ends naming it, while sockets and lookups alone do not",
    "[network]") {
  test::TempDir dir;
  const fs::path task = dir.path / "task", in = task / "iexec_in", out = task / "iexec_out",
                 hidden = dir.path / "state";
  fs::create_directories(in);
  fs::create_directories(out);
  fs::create_directories(hidden);
  const auto app =
      dir.write("app.py",
                "#!/usr/bin/python3\nimport os, socket, subprocess, sys\n"
                "what = sys.argv[1]\n"
                "if what == 'memory': b = bytearray(512 << 20)\n"
                "if what == 'unix': socket.socket(socket.AF_UNIX).close()\n"
                "if what == 'sockets':\n"
                "    socket.socket(socket.AF_INET).close()\n"
                "    try: socket.getaddrinfo('example.com', 80)\n"
                "    except OSError: pass\n"
                "if what == 'network':\n"
                "    try: socket.create_connection(('127.0.0.1', 9))\n"
                "    except OSError: pass\n"
                "if what == 'child':\n"
                "    subprocess.run(['/usr/bin/python3', '-c', 'import socket\\n"
                "try: socket.create_connection((\"10.1.2.3\", 443))\\nexcept OSError: pass'])\n"
                "if what == 'write':\n"
                "    os.chdir('/usr/lib')\n"  // a relative path, resolved against the app's cwd
                "    try: open('../pwned', 'w')\n"
                "    except OSError: pass\n"
                "if what == 'hidden': os.path.exists(sys.argv[2] + '/wallet.json')\n"
                // An honest app's usual doings: modules loaded (their caches already written), a
                // temporary file, a subprocess, output to /dev/null.
                "if what == 'honest':\n"
                "    import csv, decimal, email, hashlib, json, sqlite3, tempfile, urllib.request, zipfile\n"
                "    import xml.etree.ElementTree\n"
                "    with tempfile.TemporaryFile() as f: f.write(b'x')\n"
                "    subprocess.run(['sh', '-c', 'ls / > /dev/null; date > /tmp/d; cat /tmp/d'], check=True)\n"
                "open(os.environ['OUT'] + '/done', 'w').write('yes')\n",
                fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                    fs::perms::others_exec);
  network::AppLimits limits;
  limits.wall_seconds = 60;
  limits.memory_mib = 128;
  auto run = [&](const std::string& what) {
    return run_sandboxed({app,
                          {what, hidden.string()},
                          {"PATH=/usr/bin:/bin", "OUT=" + out.string()},
                          in,
                          out,
                          task,
                          {},
                          limits,
                          {{hidden, "the host's protectedfs state"}}});
  };
  const bool watched = MemoryCgroup::create(limits.memory_mib << 20) != nullptr;

  const auto unix_socket = run("unix");
  CHECK(unix_socket.succeeded());
  CHECK(unix_socket.memory_watched == watched);
  CHECK(run("sockets").succeeded());
  const auto honest = run("honest");
  CHECK(honest.succeeded());
  if (honest.violation) FAIL_CHECK(honest.violation->describe());
  const auto network = run("network");
  REQUIRE(network.violation);
  CHECK(network.describe(limits) == "the iApp tried to connect to 127.0.0.1:9, but apps have no network");
  const auto child = run("child");
  REQUIRE(child.violation);
  CHECK(child.describe(limits) == "the iApp tried to connect to 10.1.2.3:443, but apps have no network");
  const auto write = run("write");
  REQUIRE(write.violation);
  CHECK(write.violation->kind == Violation::Kind::Write);
  CHECK(write.violation->path == "/usr/pwned");
  const auto looked_up = run("hidden");
  REQUIRE(looked_up.violation);
  CHECK(looked_up.violation->kind == Violation::Kind::Hidden);
  CHECK(looked_up.violation->path == (hidden / "wallet.json").string());
  const auto memory = run("memory");
  if (watched) {
    CHECK(memory.end == SandboxOutcome::End::Memory);
  } else {  // RLIMIT_DATA: Python's MemoryError, exit status 1, and a maybe in the message
    CHECK(memory.end == SandboxOutcome::End::Exited);
    CHECK(memory.describe(limits).find("it may have hit its memory limit of 128 MiB") != std::string::npos);
  }
}
