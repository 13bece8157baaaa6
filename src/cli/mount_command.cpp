// The daemon: `protectedfs MOUNTPOINT [-o OPTS] [-f] [-d]`. It assembles the pieces and hands the mount to the
// FUSE adapter:
//
//   wallet ─▶ keys ─▶ metadata (RocksDB) + staging (encrypted) ─▶ core::Filesystem ◀─ fuse adapter
//                     vault (data keys, hidden lineages)                 │ changes        ▲ versions found
//                                              network ◀─ publish::Publisher    remote::TreeSync ─▶ network
//   field bytes: remote::LayeredContents = staged bytes over published leaves (remote::PublishedReader), under
//   publish::StreamingContents (large fields zipped while written) on the local network
//
// Unless -f, it forks before opening anything (RocksDB's threads do not survive a fork); the parent waits on a
// pipe and exits 0 once the mount is up, or prints the child's error and exits 1.
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/log_format.hpp"
#include "cli/mount_options.hpp"
#include "cli/password.hpp"
#include "cli/staged_contents.hpp"
#include "cli/usage_watch.hpp"
#include "cli/user_paths.hpp"
#include "cli/wallet_file.hpp"
#include "cli/wallet_state.hpp"
#include "fuse/fuse_adapter.hpp"
#include "protectedfs/cache/metadata_db.hpp"
#include "protectedfs/cache/wallet_vault.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/keystore.hpp"
#include "protectedfs/network/iexec_network.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/network/open_network.hpp"
#include "protectedfs/publish/publisher.hpp"
#include "protectedfs/publish/streaming_contents.hpp"
#include "protectedfs/remote/layered_contents.hpp"
#include "protectedfs/remote/tree_sync.hpp"
#include "protectedfs/util/file.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::cli {
namespace {

namespace fs = std::filesystem;

// The end of a daemon's start-up: the parent process learns whether the mount came up.
class StartupReport {
 public:
  // Forks: returns in the child (with a report to send); the parent never returns.
  static StartupReport daemonize() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_system_error("pipe");
    const pid_t pid = ::fork();
    if (pid < 0) throw_system_error("fork");
    if (pid > 0) {
      ::close(fds[1]);
      std::string message;
      char buffer[512];
      ssize_t n;
      while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) message.append(buffer, static_cast<std::size_t>(n));
      if (message == "ok") std::_Exit(0);
      std::cerr << "protectedfs: "
                << (message.empty() ? "the daemon stopped during start-up" : escape_controls(message)) << "\n";
      std::_Exit(1);
    }
    ::close(fds[0]);
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) ::close(null);
    return StartupReport(fds[1]);
  }
  StartupReport() = default;
  void ok() { send("ok"); }
  void failed(const std::string& why) { send(why); }

 private:
  explicit StartupReport(int fd) : fd_(fd) {}
  void send(const std::string& text) {
    if (fd_ < 0) return;
    (void)::write(fd_, text.data(), text.size());
    ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

void setup_logging(const MountOptions& m, const fs::path& state) {
  std::shared_ptr<spdlog::logger> logger;
  if (m.foreground) {
    logger = spdlog::stderr_color_mt("protectedfs");
  } else {
    logger = spdlog::basic_logger_mt("protectedfs", (state / "daemon.log").string());
    ::chmod((state / "daemon.log").c_str(), 0600);  // a log from an older version may have been created 0644
  }
  logger->set_formatter(escaping_log_formatter());  // one event, one line: control bytes in messages escaped
  logger->set_level(m.debug ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

int serve(const MountOptions& m, const PasswordSource& password_source, StartupReport& report) {
  ::umask(077);  // the daemon only creates state (cache, staging, log): never readable by another user
  // Large buffers (a publish's slots, the wallet unlock's scratch) are mapped and unmapped, so memory a burst took
  // goes back to the system when it ends: a fixed threshold stops glibc from raising it after the first free and
  // keeping later buffers in its heap.
  ::mallopt(M_MMAP_THRESHOLD, 256 << 10);
  // The wallet: created on first mount of the local network (SPEC.md §1), its address and path printed.
  auto network = network::open_network(m.network);
  const fs::path wallet_path = m.wallet ? *m.wallet : default_wallet_path();
  std::optional<crypto::PrivateKey> key;
  if (!fs::exists(wallet_path)) {
    if (network->name != network::kLocalNetworkName)
      throw Error(ENOENT, "no wallet at " + wallet_path.string() + " (create or import one: protectedfs wallet)");
    key = create_wallet(wallet_path, read_password(password_source, "Password for the new wallet: ", true));
    std::cerr << "protectedfs: created wallet " << key->address().to_string() << " at " << wallet_path.string() << "\n";
  } else {
    key = crypto::decrypt_keystore(read_wallet_text(wallet_path), read_password(password_source, "Wallet password: "));
  }
  ::malloc_trim(0);  // what the unlock (scrypt: 128 MiB with geth's parameters) left in the heap goes back
  const std::string address = key->address().to_string();
  const std::string where = state_name(m.network, *network) + "-" + address;
  const fs::path state = m.cache ? *m.cache : data_directory() / "mounts" / where;
  // The state is the user's alone whatever the umask: folders 0700 (here and below), files 0600 (the umask above
  // also covers RocksDB's files and the log, which are created without an explicit mode).
  create_private_directories(data_directory());
  create_private_directories(state);
  setup_logging(m, state);

  const staging::MasterKey master = staging::derive_staging_key(*key);
  cache::MetadataDb metadata((state / "metadata").string(), state_key(master, "metadata"),
                             legacy_key(master, "metadata"));
  // Keys and hidden lineages belong to the wallet, not to this cache: another mount of it reads the same data.
  cache::WalletVault vault(data_directory() / "wallets" / where, state_key(master, "vault"),
                           legacy_key(master, "vault"));
  staging::StagingStore staging(state / "staging", master);
  StagedContents staged(staging);
  remote::PublishedReader published(*network, vault);
  remote::LayeredContents layered(staged, published);
  // Large fields are zipped and encrypted while they are written, where the store can keep an upload open.
  std::optional<publish::StreamingContents> streaming;
  if (network->storage->keeps_uploads_open())
    streaming.emplace(layered, *network->storage, publish::StreamingOptions{.free_bytes = [dir = state / "staging"] {
                        std::error_code error;
                        const auto space = fs::space(dir, error);
                        return error ? UINT64_MAX
                                     : static_cast<uint64_t>(space.available);  // unknown: not a reason to stop
                      }});
  core::FieldContents& contents = streaming ? static_cast<core::FieldContents&>(*streaming) : layered;
  core::Filesystem filesystem(contents, metadata.tree(), ::getuid(), ::getgid());
  if (streaming) streaming->attach_filesystem(filesystem);
  publish::Publisher publisher(
      filesystem, contents, *network, *key, vault, metadata.journal(),
      {.delay = m.publish_delay, .upload_after = m.publish_delay / 4, .streams = streaming ? &*streaming : nullptr});
  remote::TreeSync tree_sync(filesystem, *network, key->address(), published,
                             {.interval = m.sync_interval,
                              .hidden = [&](const std::string& lineage) { return vault.hidden(lineage); },
                              .refresh_usage = [&](uint64_t data) { publisher.refresh_usage(data); }});
  // A run on this machine shows in user.protected.usage as soon as it is accounted, not at the next sync pass.
  UsageWatch usage_watch(network->accounted_runs, [&] {
    for (const auto& summary : filesystem.data_list()) {
      const auto& orders = summary.info.orders;
      if (std::any_of(orders.begin(), orders.end(),
                      [](const core::IssuedOrder& o) { return o.state == core::IssuedOrder::State::Open; }))
        publisher.refresh_usage(summary.ino);
    }
  });
  filesystem.set_events({
      .changed = [&](uint64_t data, const std::string& name) { publisher.changed(data, name); },
      .created = [&](const std::string& name) { vault.unhide(name); },
      .removed =
          [&](uint64_t data, const std::string& name, const core::DataInfo& info) {
            publisher.removed(data, name, info.orders);   // every grant of every version is revoked
            if (!info.address.empty()) vault.hide(name);  // the chain keeps the versions; the mount stops showing them
          },
      .renamed =
          [&](uint64_t, const std::string& old_name, const std::string& new_name, const core::DataInfo& info) {
            if (!info.address.empty()) vault.hide(old_name);  // else the tree sync would show the old name again
            vault.unhide(new_name);
          },
      .grants_changed = [&](uint64_t data, const std::string& name) { publisher.grants_changed(data, name); },
      .root_entry_replaced = [](const std::string& name) { fuse::invalidate_entry(core::kRootIno, name); },
  });
  const std::string network_text = network->name + " " + std::to_string(network->chain_id);
  filesystem.set_root_attributes([&] {
    // The cache's state: "ok", or why it is read-only (a full disk) and when that ends.
    const std::string trouble = metadata.trouble();
    return std::map<std::string, std::string>{{"user.protected.wallet", address},
                                              {"user.protected.network", network_text},
                                              {"user.protected.queue", publisher.queue_json()},
                                              {"user.protected.storage", trouble.empty() ? "ok" : trouble}};
  });

  fuse::SessionOptions session{fs::absolute(m.mountpoint), m.fuse_args, state};
  session.fuse_args.push_back("-o");
  session.fuse_args.push_back("fsname=protectedfs,subtype=protectedfs");
  spdlog::info("mounting {} for {} on {} (state in {})", m.mountpoint.string(), address, network_text, state.string());
  // A full disk does not stop the mount: what is published reads as usual, writes fail with ENOSPC until space is
  // freed, then resume (pending publishes too) by themselves.
  if (const std::string trouble = metadata.trouble(); !trouble.empty()) spdlog::warn("cache {}", trouble);
  const int status = fuse::run_session(filesystem, session, [&] {
    publisher.start();
    tree_sync.start();
    usage_watch.start();
    report.ok();
  });
  usage_watch.stop();
  tree_sync.stop();
  publisher.stop();  // unfinished publishes stay journaled and resume at the next mount
  spdlog::info("unmounted {}", m.mountpoint.string());
  return status;
}

}  // namespace

int run_mount(const std::vector<std::string>& args) {
  MountOptions m = parse_mount_options(args);
  m.mountpoint = fs::absolute(m.mountpoint);
  if (!fs::is_directory(m.mountpoint)) throw Error(ENOTDIR, m.mountpoint.string() + " is not a folder");
  // Ask for the password before detaching from the terminal (twice for a wallet about to be created).
  PasswordSource password{m.password_file, std::nullopt};
  // Taken out of the environment before the fork: the daemon runs for days, its environment readable by the user's
  // other processes (and shown by ps e).
  const std::optional<std::string> from_environment = take_password_from_environment();
  if (!m.password_file && from_environment) password.typed = from_environment;
  if (!m.password_file && !from_environment && ::isatty(STDIN_FILENO)) {
    const bool creating = !fs::exists(m.wallet ? *m.wallet : default_wallet_path());
    password.typed = read_password({}, creating ? "Password for the new wallet: " : "Wallet password: ", creating);
  }
  StartupReport report = m.foreground ? StartupReport() : StartupReport::daemonize();
  try {
    return serve(m, password, report);
  } catch (const Error& e) {
    report.failed(e.what());
    if (!m.foreground) std::_Exit(1);
    throw;
  } catch (const std::exception& e) {
    report.failed(std::string("unexpected: ") + e.what());
    if (!m.foreground) std::_Exit(1);
    throw;
  }
}

}  // namespace pfs::cli
