#include "network/local/sandbox.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>

#include "network/local/sandbox_cgroup.hpp"
#include "network/local/sandbox_filter.hpp"
#include "network/local/sandbox_monitor.hpp"
#include "network/local/sandbox_root.hpp"
#include "network/local/sandbox_supervisor.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uid_t kInsideId = 1000;   // the app's uid and gid inside its user namespace
constexpr uid_t kNobodyId = 65534;  // its uid and gid outside when the runner is root
constexpr uint64_t kMiB = 1 << 20;
constexpr const char* kAppInside = "/iexec_app";  // where the app's executable is inside (its host path is not)

// Like system(3): while the app runs, a Ctrl-C on the terminal (sent to the whole process group) stops the app but
// not this process, which then removes the working directory and reports the interrupted task.
class IgnoreTerminalSignals {
 public:
  IgnoreTerminalSignals() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGINT, &ignore, &saved_int_);
    ::sigaction(SIGQUIT, &ignore, &saved_quit_);
  }
  ~IgnoreTerminalSignals() { restore(); }
  IgnoreTerminalSignals(const IgnoreTerminalSignals&) = delete;
  IgnoreTerminalSignals& operator=(const IgnoreTerminalSignals&) = delete;
  // Async-signal-safe: also what the app's process does before exec, so that the app gets the usual dispositions.
  void restore() const {
    ::sigaction(SIGINT, &saved_int_, nullptr);
    ::sigaction(SIGQUIT, &saved_quit_, nullptr);
  }

 private:
  struct sigaction saved_int_ {};
  struct sigaction saved_quit_ {};
};

struct Pipe {
  UniqueFd read, write;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_system_error("cannot start the iApp");
    read = UniqueFd(fds[0]);
    write = UniqueFd(fds[1]);
  }
};

// What the sandbox's first process tells the runner through the report pipe.
struct Report {
  enum Kind : int { AppStarted = 1, AppEnded = 2, SetupFailed = 3, FilterLoaded = 4 } kind;
  int value;         // the app's wait status, the errno of the failed step, or the filter's notification fd
  std::size_t step;  // SetupFailed: the step of the root plan (or its size: the switch to the new root;
                     // kFilterStep: loading the system-call filter)
};
constexpr std::size_t kFilterStep = SIZE_MAX;

// Everything the two processes inside need, prepared before the clone: they only read it.
struct Prepared {
  RootPlan plan;
  std::vector<std::string> argv_text, env_text;
  std::vector<char*> argv, envp;
  std::string cwd;
  bool as_root;
  bool limit_data;  // RLIMIT_DATA holds the memory limit (no memory cgroup does)
  rlim_t data_bytes, cpu_seconds, processes, file_bytes;
  SandboxFilter filter;
};

pid_t clone_raw(uint64_t flags, int* pidfd) {
  struct clone_args args {};
  args.flags = flags | (pidfd ? CLONE_PIDFD : 0);
  args.pidfd = reinterpret_cast<uint64_t>(pidfd);
  args.exit_signal = SIGCHLD;
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

void write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

// The app's own process: drops to the sandbox's user with no capability, takes its limits, and executes the app.
// Async-signal-safe.
[[noreturn]] void app_main(const Prepared& p, const IgnoreTerminalSignals& ignoring, int output, int exec_report) {
  int error = 0;
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || ::dup2(null, STDIN_FILENO) < 0 || ::dup2(output, STDOUT_FILENO) < 0 ||
      ::dup2(output, STDERR_FILENO) < 0 || ::chdir(p.cwd.c_str()) != 0) {
    error = errno;
  } else if ((p.as_root && ::setgroups(0, nullptr) != 0) || ::setresgid(kInsideId, kInsideId, kInsideId) != 0 ||
             ::setresuid(kInsideId, kInsideId, kInsideId) != 0) {
    error = errno;
  } else {
    for (int cap = 0; cap <= 63; ++cap) ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct header {
      _LINUX_CAPABILITY_VERSION_3, 0
    };
    struct __user_cap_data_struct none[2]{};
    const struct rlimit data {
      p.data_bytes, p.data_bytes
    }, cpu{p.cpu_seconds, p.cpu_seconds + 1}, processes{p.processes, p.processes}, file{p.file_bytes, p.file_bytes},
        core{0, 0};
    if (::syscall(SYS_capset, &header, none) != 0 || ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        (p.limit_data && ::setrlimit(RLIMIT_DATA, &data) != 0) || ::setrlimit(RLIMIT_CPU, &cpu) != 0 ||
        ::setrlimit(RLIMIT_NPROC, &processes) != 0 || ::setrlimit(RLIMIT_FSIZE, &file) != 0 ||
        ::setrlimit(RLIMIT_CORE, &core) != 0) {
      error = errno;
    } else {
      ignoring.restore();
      ::umask(022);
      // Only 0-2 and the exec report (close-on-exec) stay open: nothing of the runner's reaches the app.
      ::close_range(3, static_cast<unsigned>(exec_report) - 1, 0);
      ::close_range(static_cast<unsigned>(exec_report) + 1, ~0U, 0);
      ::execve(p.argv[0], p.argv.data(), p.envp.data());
      error = errno;
    }
  }
  write_all(exec_report, &error, sizeof error);
  ::_exit(127);
}

// The runner's next go-ahead on the go pipe: true, or false when it gave up (closed the pipe).
bool await_go(int go) {
  char byte = 0;
  while (::read(go, &byte, 1) < 0 && errno == EINTR) {
  }
  return byte == 1;
}

// The sandbox's first process (PID 1 of its namespace): waits for the runner to map its user, builds the root,
// loads the system-call filter (which every process of the app inherits) and waits for the runner to take its
// notifications, starts the app and reaps every process until the app's main one ends; its own end then kills
// whatever the app left (the kernel ends a PID namespace with its first process). Async-signal-safe.
[[noreturn]] void init_main(Prepared& p, const IgnoreTerminalSignals& ignoring, int go, int report, int output,
                            int exec_report) {
  if (!await_go(go)) ::_exit(1);
  ::umask(022);
  ::sethostname("iapp", 4);
  Report r{Report::SetupFailed, 0, 0};
  if ((r.value = build_root(p.plan, &r.step)) != 0) {
    write_all(report, &r, sizeof r);
    ::_exit(1);
  }
  for (auto& step : p.plan.steps)
    if (step.tree >= 0) ::close(step.tree);
  // Loaded here, past the root's building, so that none of this process's own later calls is watched (write,
  // read, clone3, wait4); the runner takes a copy of the notification fd (pidfd_getfd) before the app starts.
  const int listener = p.filter.install();
  if (listener < 0) {
    r = {Report::SetupFailed, -listener, kFilterStep};
    write_all(report, &r, sizeof r);
    ::_exit(1);
  }
  r = {Report::FilterLoaded, listener, 0};
  write_all(report, &r, sizeof r);
  if (!await_go(go)) ::_exit(1);
  ::close(listener);
  ::close(go);
  const pid_t app = clone_raw(0, nullptr);
  if (app == 0) app_main(p, ignoring, output, exec_report);
  if (app < 0) {
    r.value = errno;
    write_all(report, &r, sizeof r);
    ::_exit(1);
  }
  ::close(output);
  ::close(exec_report);
  r = {Report::AppStarted, 0, 0};
  write_all(report, &r, sizeof r);
  for (;;) {
    int status = 0;
    const pid_t ended = ::waitpid(-1, &status, 0);
    if (ended < 0 && errno == EINTR) continue;
    if (ended == app) {
      r = {Report::AppEnded, status, 0};
      write_all(report, &r, sizeof r);
      ::_exit(0);
    }
    if (ended < 0) ::_exit(1);
  }
}

void write_proc_file(pid_t pid, const char* name, const std::string& text) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_system_error("cannot isolate the iApp: cannot write " + path);
}

// The sandbox's users: root (the first process, to build the root) and 1000 (the app), mapped to the runner's
// root and nobody when the runner is root; else only 1000, mapped to the runner's own uid (all an unprivileged
// process may map).
void map_users(pid_t pid, bool as_root) {
  if (as_root) {
    write_proc_file(pid, "uid_map", "0 0 1\n1000 65534 1\n");
    write_proc_file(pid, "gid_map", "0 0 1\n1000 65534 1\n");
  } else {
    write_proc_file(pid, "uid_map", "1000 " + std::to_string(::getuid()) + " 1\n");
    write_proc_file(pid, "setgroups", "deny");
    write_proc_file(pid, "gid_map", "1000 " + std::to_string(::getgid()) + " 1\n");
  }
}

// As root the app runs as nobody: its input and output folders become nobody's (they stay inside the runner's
// private 0700 working directory, which nobody cannot enter from outside).
void hand_over(const fs::path& root) {
  std::error_code ec;
  ::lchown(root.c_str(), kNobodyId, kNobodyId);
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    ::lchown(it->path().c_str(), kNobodyId, kNobodyId);
}

}  // namespace

std::string SandboxOutcome::describe_end(const AppLimits& limits) const {
  // Without a memory cgroup an app past its limit sees an allocation fail, and then exits with an error or
  // aborts: the runner cannot tell that from another failure, only say it may be the cause.
  const std::string may_be_memory =
      memory_watched ? "" : "; it may have hit its memory limit of " + std::to_string(limits.memory_mib) + " MiB";
  switch (end) {
    case End::Exited:
      return "the iApp exited with status " + std::to_string(code) + (code != 0 ? may_be_memory : "");
    case End::Signaled:
      return std::string("the iApp was killed by signal ") + ::strsignal(code) +
             (code == SIGABRT || code == SIGSEGV || code == SIGBUS ? may_be_memory : "");
    case End::WallTime:
      return "the iApp ran past its wall-time limit of " + std::to_string(limits.wall_seconds) + " s and was stopped";
    case End::CpuTime:
      return "the iApp used more than its CPU-time limit of " + std::to_string(limits.cpu_seconds) +
             " s and was stopped";
    case End::Processes:
      return "the iApp reached its limit of " + std::to_string(limits.processes) +
             " processes and threads and was stopped";
    case End::Output:
      return "the iApp wrote more than its output limit of " + std::to_string(limits.output_mib) +
             " MiB and was stopped";
    case End::Memory:
      return "the iApp exceeded its memory limit of " + std::to_string(limits.memory_mib) + " MiB and was stopped";
  }
  return "the iApp stopped abnormally";
}

std::string SandboxOutcome::describe(const AppLimits& limits) const {
  if (!violation) return describe_end(limits);
  std::string text = violation->describe();
  if (end != End::Exited || code != 0) text += "; then " + describe_end(limits);
  return text;
}

SandboxOutcome run_sandboxed(const SandboxedRun& run) {
  const AppLimits& limits = run.limits;
  Prepared p;
  p.as_root = ::geteuid() == 0;
  const auto memory = MemoryCgroup::create(limits.memory_mib * kMiB);
  p.limit_data = !memory;
  p.data_bytes = limits.memory_mib * kMiB;
  p.filter = SandboxFilter::compile();
  p.cpu_seconds = limits.cpu_seconds;
  p.processes = limits.processes + 1;  // the sandbox's first process may count as one of the app's user's
  p.file_bytes = limits.output_mib * kMiB;
  if (p.as_root) {
    hand_over(run.in_dir);
    hand_over(run.out_dir);
  }

  std::vector<BoundPath> bound;
  auto bind = [&](const fs::path& path, bool read_only) {
    std::error_code ec;
    const bool is_directory = fs::is_directory(path, ec);
    if (ec || !fs::exists(path, ec)) throw Error(ENOENT, "cannot let the iApp see " + path.string() + ": no such file");
    bound.push_back({path.string(), path, read_only, is_directory});
  };
  for (const auto& path : run.read_only) bind(fs::absolute(path).lexically_normal(), true);
  bind(run.in_dir, true);
  bind(run.out_dir, false);
  bound.push_back({run.executable.string(), kAppInside, true, false});
  p.plan = plan_root(bound, p.file_bytes,
                     "root:x:0:0::/:/usr/sbin/nologin\niapp:x:1000:1000::" + run.cwd.string() +
                         ":/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n",
                     "root:x:0:\niapp:x:1000:\nnogroup:x:65534:\n");
  // The working directory: the task's folder (the parent of IEXEC_IN and IEXEC_OUT), else made on its own.
  if (const auto target = std::string(kBuildRoot) + run.cwd.string(); run.cwd.has_parent_path())
    p.plan.steps.push_back({RootStep::Kind::Directory, target, ""});

  p.argv_text.push_back(kAppInside);
  p.argv_text.insert(p.argv_text.end(), run.args.begin(), run.args.end());
  for (auto& a : p.argv_text) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  p.env_text = run.environment;
  for (auto& e : p.env_text) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  p.cwd = run.cwd.string();

  Pipe go, report, output, exec_report;
  const IgnoreTerminalSignals ignoring;
  int pidfd = -1;
  const pid_t pid = clone_raw(
      CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWCGROUP,
      &pidfd);
  if (pid == 0) {
    ::close(go.write.get());
    ::close(report.read.get());
    ::close(output.read.get());
    ::close(exec_report.read.get());
    init_main(p, ignoring, go.read.get(), report.write.get(), output.write.get(), exec_report.write.get());
  }
  if (pid < 0)
    throw_system_error("cannot isolate the iApp (user namespaces are needed: see \"iApp isolation\" in the man page)");
  UniqueFd process(pidfd);
  go.read.reset();
  report.write.reset();
  output.write.reset();
  exec_report.write.reset();

  auto reap = [&] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  };
  try {
    if (memory) memory->add(pid);  // before the go: every process of the sandbox starts in it
    map_users(pid, p.as_root);
  } catch (...) {
    go.write.reset();  // the first process sees no go and ends
    reap();
    throw;
  }
  const char yes = 1;
  write_all(go.write.get(), &yes, 1);

  // What the app may write and which host paths it must not even look up, as paths inside the sandbox.
  AccessPolicy policy;
  policy.writable = {run.out_dir};
  policy.read_only = {run.in_dir, kAppInside};
  for (const auto& path : run.read_only) policy.read_only.push_back(fs::absolute(path).lexically_normal());
  policy.hidden = run.hidden;
  std::optional<SandboxSupervisor> supervisor;
  std::optional<std::string> supervise_error;  // the notification fd could not be taken: the app is not started

  std::optional<SandboxOutcome::End> stopped;
  std::optional<Report> ended;  // the first process's last word: the app's end, or the failed setup step
  bool started = false;         // the sandbox is built: its /proc can be sampled (before, it is the host's)
  bool report_open = true;
  SandboxMonitor monitor(pid, run.out_dir);
  const auto deadline = Clock::now() + std::chrono::seconds(limits.wall_seconds);
  auto next_sample = Clock::now();
  char buffer[16384];
  bool output_open = true;
  for (;;) {
    if (supervise_error) break;
    const auto now = Clock::now();
    if (now >= deadline) {
      stopped = SandboxOutcome::End::WallTime;
      break;
    }
    if (started && now >= next_sample) {
      const auto usage = monitor.sample();
      if (usage.processes >= limits.processes) stopped = SandboxOutcome::End::Processes;
      else if (usage.cpu_seconds > static_cast<double>(limits.cpu_seconds)) stopped = SandboxOutcome::End::CpuTime;
      else if (usage.output_bytes > limits.output_mib * kMiB) stopped = SandboxOutcome::End::Output;
      if (stopped) break;
      next_sample = now + std::chrono::milliseconds(100);
    }
    const auto wait = std::min(deadline, next_sample) - now;
    struct pollfd fds[4] = {{process.get(), POLLIN, 0},
                            {output_open ? output.read.get() : -1, POLLIN, 0},
                            {ended || !report_open ? -1 : report.read.get(), POLLIN, 0},
                            {supervisor ? supervisor->fd() : -1, POLLIN, 0}};
    const int ready =
        ::poll(fds, 4, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()) + 1);
    if (ready < 0 && errno != EINTR) throw_system_error("cannot wait for the iApp");
    if (ready > 0 && (fds[3].revents & POLLIN)) supervisor->answer_one();
    if (ready > 0 && (fds[2].revents & (POLLIN | POLLHUP))) {
      Report r{};
      if (::read(report.read.get(), &r, sizeof r) != static_cast<ssize_t>(sizeof r)) {
        report_open = false;
      } else if (r.kind == Report::FilterLoaded) {
        // The first process's notification fd, copied here; then the go for the app.
        UniqueFd listener(static_cast<int>(::syscall(SYS_pidfd_getfd, process.get(), r.value, 0)));
        if (!listener) {
          supervise_error = std::strerror(errno);
          continue;
        }
        supervisor.emplace(std::move(listener), policy);
        write_all(go.write.get(), &yes, 1);
        go.write.reset();
      } else if (r.kind == Report::AppStarted) {
        started = true;
      } else {
        ended = r;
      }
    }
    if (ready > 0 && (fds[1].revents & (POLLIN | POLLHUP))) {
      const ssize_t n = ::read(output.read.get(), buffer, sizeof buffer);
      if (n > 0) write_all(STDERR_FILENO, buffer, static_cast<std::size_t>(n));
      if (n == 0) output_open = false;
    }
    if (ready > 0 && (fds[0].revents & POLLIN)) break;
  }
  if (stopped || supervise_error) ::syscall(SYS_pidfd_send_signal, process.get(), SIGKILL, nullptr, 0);
  go.write.reset();
  reap();  // the whole namespace is gone once its first process is reaped
  for (ssize_t n; output_open && (n = ::read(output.read.get(), buffer, sizeof buffer)) != 0;) {
    if (n > 0) write_all(STDERR_FILENO, buffer, static_cast<std::size_t>(n));
    else if (errno != EINTR) break;
  }

  Report r{};
  while (!stopped && !ended && ::read(report.read.get(), &r, sizeof r) == static_cast<ssize_t>(sizeof r))
    if (r.kind == Report::AppEnded || r.kind == Report::SetupFailed) ended = r;
  if (supervise_error) throw Error(EIO, "cannot isolate the iApp: cannot watch its system calls: " + *supervise_error);
  const bool reported = ended && ended->kind != Report::SetupFailed;
  if (ended && ended->kind == Report::SetupFailed) {
    r = *ended;
    errno = r.value;
    throw_system_error(
        "cannot isolate the iApp: " +
        (r.step == kFilterStep ? std::string("loading the system-call filter") : p.plan.describe(r.step)) + " failed");
  }
  int exec_error = 0;
  if (::read(exec_report.read.get(), &exec_error, sizeof exec_error) == static_cast<ssize_t>(sizeof exec_error)) {
    errno = exec_error;
    throw_system_error("cannot start the iApp " + run.executable.string());
  }
  SandboxOutcome outcome;
  if (stopped) {
    outcome.end = *stopped;
  } else if (!reported) {
    outcome = {SandboxOutcome::End::Signaled, SIGKILL};
  } else if (WIFEXITED(ended->value)) {
    outcome = {SandboxOutcome::End::Exited, WEXITSTATUS(ended->value)};
  } else {
    const int signal = WTERMSIG(ended->value);
    outcome = {signal == SIGXCPU   ? SandboxOutcome::End::CpuTime
               : signal == SIGXFSZ ? SandboxOutcome::End::Output
                                   : SandboxOutcome::End::Signaled,
               signal};
  }
  // The OOM killer's SIGKILL ends the app, or one of its processes (the app then usually exits with an error).
  const bool failed =
      outcome.end == SandboxOutcome::End::Signaled || (outcome.end == SandboxOutcome::End::Exited && outcome.code != 0);
  if (!stopped && memory && failed && memory->oom_killed()) outcome = {SandboxOutcome::End::Memory, 0};
  // What it left may pass the output limit between two samples (each file is held to it by RLIMIT_FSIZE).
  if (outcome.succeeded() && monitor.output_bytes() > limits.output_mib * kMiB)
    outcome = {SandboxOutcome::End::Output, 0};
  outcome.memory_watched = memory != nullptr;
  if (supervisor) outcome.violation = supervisor->violation();
  return outcome;
}

}  // namespace pfs::network::local
