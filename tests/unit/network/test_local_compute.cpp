// What only the local network does for grants and runs: its documented derivations (hub, domain, app address, task
// id), its files, the private working directory of a run, failing apps, separate processes racing, and leftovers of
// a crashed writer.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contract_support.hpp"
#include "local_fixture.hpp"
#include "network/local/iapp_runner.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "vectors.hpp"

using namespace pfs;
using pfs::test::errno_of;
using pfs::test::LocalNetworkDir;
using pfs::test::read_text;
using pfs::test::ScratchDir;

namespace {

namespace fs = std::filesystem;
namespace abi = crypto::abi;

// Reports where it ran and what it saw on its stderr (the runner copies it to its own, which the fixture keeps in
// probe.txt: the app itself can write nothing outside IEXEC_OUT): its working directory, that folder's mode, the
// dataset's and its environment; then succeeds, fails or skips computed.json as its argument says.
constexpr const char* kProbeApp = R"(#!/bin/sh
{ echo "--- report"; pwd; stat -c %a .; stat -c %a "$IEXEC_IN/$IEXEC_DATASET_FILENAME"; env; } >&2
case "$1" in
  fail) exit 3 ;;
  silent) exit 0 ;;
  bad-json) echo 'not json' > "$IEXEC_OUT/computed.json"; exit 0 ;;
esac
echo '{}' > "$IEXEC_OUT/computed.json"
)";

// The process's stderr sent to a file while it lives (where the runner copies the app's output).
class CapturedStderr {
 public:
  explicit CapturedStderr(const fs::path& file) : saved_(::dup(STDERR_FILENO)) {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    ::dup2(fd.get(), STDERR_FILENO);
  }
  ~CapturedStderr() { ::dup2(saved_.get(), STDERR_FILENO); }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;

 private:
  UniqueFd saved_;
};

struct Fixture {
  LocalNetworkDir dir;
  std::unique_ptr<network::Network> net = dir.open();
  ScratchDir scratch;
  crypto::PrivateKey owner = crypto::PrivateKey::generate();
  crypto::PrivateKey consumer = crypto::PrivateKey::generate();
  Bytes plaintext = test::generated_bytes(5000, 1);
  network::DatasetRecord dataset = test::publish_dataset(*net, owner, plaintext, "medical");
  network::AppRecord app =
      net->compute->register_app(owner, scratch.write("probe.sh", kProbeApp, fs::perms::owner_all), "");
  CapturedStderr captured{scratch.path / "probe.txt"};

  network::SignedOrder grant(uint64_t price, uint64_t volume) {
    auto order = test::sign_order(*net->grants, owner,
                                  test::grant_order(dataset.address, app.address, consumer.address(), price, volume));
    net->grants->publish(owner, order);
    return order;
  }
  network::RunRequest request(const std::string& out, const std::string& mode = "") {
    return {dataset.address, app.address, mode, scratch.path / out, std::nullopt};
  }
  // What the last run reported, and the working directory it reported.
  std::string report() {
    const std::string text = read_text(scratch.path / "probe.txt");
    const auto last = text.rfind("--- report\n");
    return last == std::string::npos ? "" : text.substr(last + 11);
  }
  fs::path reported_workdir() {
    const std::string text = report();
    return text.substr(0, text.find('\n'));
  }
};

std::size_t entries_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("local grants: the domain's hub is fixed, and orders are hashed and signed exactly as ethers does",
          "[network]") {
  CHECK(network::local_hub_address().to_string() == "0x39F2b456a797c9f227c1592A5d155722b355360d");
  CHECK(network::local_hub_address() ==
        crypto::Address::from_bytes(ByteView(crypto::keccak256(as_bytes("protectedfs local hub"))).subspan(12)));
  LocalNetworkDir dir;
  auto net = dir.open();
  const auto domain = net->grants->domain();
  CHECK(domain.separator() == network::local_order_domain().separator());
  // Produced by ethers 6 (TypedDataEncoder.hash, Wallet.signTypedData) for this key, domain and order.
  const auto key = crypto::PrivateKey::from_hex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  crypto::DatasetOrder order;
  order.dataset = crypto::Address::parse("0x1111111111111111111111111111111111111111");
  order.datasetprice = 5'000'000'000;
  order.volume = 10;
  order.tag[31] = 0x09;
  order.apprestrict = crypto::Address::parse("0x2222222222222222222222222222222222222222");
  order.salt.fill(0xab);
  CHECK(to_hex0x(order.hash(domain)) == "0xbca12bd39c1b4cade8ca2437acb06ba99467751bdab701ffecdb34ab6722ef24");
  CHECK(to_hex0x(order.sign(key, domain)) ==
        "0xa66406349b8ce5976f232557ff4f2ea82268752d4e88c78a1059db772fcd1c5e013364126005f35b78eab43c87c57c719e45d0d4fc9a"
        "5877"
        "37b932823fa292591c");
}

TEST_CASE("local compute: app address, files and task id follow the documented derivations", "[network]") {
  Fixture f;
  const Hash32 checksum = crypto::Sha256::digest(as_bytes(kProbeApp));
  CHECK(f.app.checksum == checksum);
  CHECK(f.app.name == "probe.sh");  // no name given: the file's
  const Hash32 derived =
      crypto::keccak256(abi::encode({abi::Value::string("protectedfs local iApp"), abi::Value::bytes32(checksum)}));
  CHECK(f.app.address == crypto::Address::from_bytes(ByteView(derived).subspan(12)));
  const fs::path folder = f.dir.path / "apps" / f.app.address.to_lowercase();
  CHECK((fs::status(folder / "app").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
         fs::perms::others_read | fs::perms::others_exec));
  CHECK(read_text(folder / "app") == kProbeApp);
  CHECK(fs::is_regular_file(folder / "app.json"));
  CHECK(entries_in(f.dir.path / "apps") == 1);

  const auto order = f.grant(0, 2);
  const auto result = f.net->compute->run(f.consumer, f.request("out"));
  const Hash32 deal = crypto::keccak256(abi::encode({abi::Value::bytes32(order.hash), abi::Value::uint256(0)}));
  const Hash32 task = crypto::keccak256(abi::encode({abi::Value::bytes32(deal), abi::Value::uint256(0)}));
  CHECK(result.task == to_hex0x(task));
  CHECK(fs::is_regular_file(f.dir.path / "tasks" / (result.task + ".json")));
  // The second access of the order is another deal (index 1).
  const auto second = f.net->compute->run(f.consumer, f.request("out2"));
  const Hash32 deal1 = crypto::keccak256(abi::encode({abi::Value::bytes32(order.hash), abi::Value::uint256(1)}));
  CHECK(second.task == to_hex0x(crypto::keccak256(abi::encode({abi::Value::bytes32(deal1), abi::Value::uint256(0)}))));
}

TEST_CASE("local compute: the plaintext lives only in a private working directory, removed afterwards", "[network]") {
  Fixture f;
  f.grant(0, 10);
  ::setenv("PROTECTEDFS_PASSWORD", "never for the app", 1);
  f.net->compute->run(f.consumer, f.request("out"));
  ::unsetenv("PROTECTEDFS_PASSWORD");
  const std::string report = f.report();
  const fs::path workdir = f.reported_workdir();
  CHECK(workdir.filename().string().starts_with("protectedfs-task-"));
  // Inside the sandbox the task's folder is a mount point's parent (0755) in its own root; on the host it is 0700.
  CHECK(report.find("\n755\n600\n") != std::string::npos);
  CHECK_FALSE(fs::exists(workdir));
  CHECK(report.find("PROTECTEDFS_PASSWORD") == std::string::npos);
  CHECK(report.find("IEXEC_IN=" + (workdir / "iexec_in").string()) != std::string::npos);
  CHECK(report.find("IEXEC_OUT=" + (workdir / "iexec_out").string()) != std::string::npos);
  CHECK(report.find("IEXEC_DATASET_FILENAME=" + f.dataset.address.to_string() + "\n") != std::string::npos);
  // The result is an ordinary folder.
  CHECK((fs::status(f.scratch.path / "out").permissions() & fs::perms::all) ==
        (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
         fs::perms::others_exec));
}

TEST_CASE("local compute: a failing app is EIO naming the task: the access is spent, no result, no plaintext left",
          "[network]") {
  Fixture f;
  const auto order = f.grant(25, 5);
  f.net->compute->fund(f.consumer.address(), 100);
  for (const std::string mode : {"fail", "silent", "bad-json"}) {
    INFO(mode);
    const auto out = f.scratch.path / mode;
    try {
      f.net->compute->run(f.consumer, f.request(mode, mode));
      FAIL("the run succeeded");
    } catch (const Error& e) {
      CHECK(e.code() == EIO);
      CHECK(std::string(e.what()).find("task 0x") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(f.reported_workdir()));
    // No hidden staging folder either.
    CHECK(entries_in(f.scratch.path) == 2);  // probe.sh, probe.txt
  }
  CHECK(f.net->grants->order(order.hash)->uses == 3);
  CHECK(f.net->compute->balance(f.consumer.address()) == 25);
}

TEST_CASE("local compute: a Ctrl-C stops the app, and the runner still removes the plaintext", "[network]") {
  Fixture f;
  f.grant(0, 1);
  const fs::path started = f.scratch.path / "started";
  const auto sleeper = f.net->compute->register_app(
      f.owner, f.scratch.write("sleep.sh", "#!/bin/sh\npwd >&2\nexec sleep 30\n", fs::perms::owner_all), "sleeper");
  f.net->grants->publish(f.owner,
                         test::sign_order(*f.net->grants, f.owner,
                                          test::grant_order(f.dataset.address, sleeper.address, f.consumer.address())));
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group, as a shell gives a command: the "terminal" signals the whole group
    // The app's output (its working directory) comes out on the runner's stderr.
    UniqueFd report(::open(started.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    ::dup2(report.get(), STDERR_FILENO);
    int code = 2;
    try {
      f.dir.open()->compute->run(f.consumer,
                                 {f.dataset.address, sleeper.address, "", f.scratch.path / "out", std::nullopt});
      code = 0;
    } catch (const Error& e) {
      code = e.code() == EIO ? 1 : 3;
    } catch (...) {
    }
    ::_exit(code);
  }
  auto reported = [&] { return fs::exists(started) && read_text(started).ends_with('\n'); };
  for (int i = 0; i < 1000 && !reported(); ++i) ::usleep(10000);
  REQUIRE(reported());
  ::kill(-pid, SIGINT);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);  // the runner survived and reported the interrupted task
  const std::string workdir = read_text(started);
  CHECK_FALSE(fs::exists(workdir.substr(0, workdir.find('\n'))));
  CHECK_FALSE(fs::exists(f.scratch.path / "out"));
}

TEST_CASE("local compute: the working directory of a runner killed outright is removed by the next run", "[network]") {
  Fixture f;
  f.grant(0, 1);
  ScratchDir tmp;
  const char* saved = std::getenv("TMPDIR");
  const std::string saved_tmpdir = saved ? saved : "";
  ::setenv("TMPDIR", tmp.path.c_str(), 1);
  // A dead runner's directory (its .lock free), a live one's (its .lock held), and something else.
  fs::create_directories(tmp.path / "protectedfs-task-dead01" / "iexec_in");
  std::ofstream(tmp.path / "protectedfs-task-dead01" / "iexec_in" / "plaintext") << "secret";
  std::ofstream(tmp.path / "protectedfs-task-dead01" / ".lock");
  fs::create_directories(tmp.path / "protectedfs-task-live01");
  std::ofstream(tmp.path / "protectedfs-task-live01" / ".lock");
  UniqueFd held(::open((tmp.path / "protectedfs-task-live01" / ".lock").c_str(), O_RDONLY));
  REQUIRE(::flock(held.get(), LOCK_EX) == 0);
  fs::create_directories(tmp.path / "unrelated");
  f.net->compute->run(f.consumer, f.request("out"));
  if (saved) ::setenv("TMPDIR", saved_tmpdir.c_str(), 1);
  else ::unsetenv("TMPDIR");
  CHECK_FALSE(fs::exists(tmp.path / "protectedfs-task-dead01"));
  CHECK(fs::exists(tmp.path / "protectedfs-task-live01"));
  CHECK(fs::exists(tmp.path / "unrelated"));
  CHECK(f.reported_workdir().parent_path() == tmp.path);
  CHECK(entries_in(tmp.path) == 2);  // its own directory is gone too
}

TEST_CASE("local compute: content that fails its checksum or has no key is refused before paying", "[network]") {
  Fixture f;
  const auto order = f.grant(0, 5);
  SECTION("no key in the secret store") {
    const auto keyless = f.net->registry->register_dataset(
        f.owner, network::Registration{"keyless", f.dataset.multiaddr, f.dataset.checksum, "{}"});
    f.net->grants->publish(
        f.owner, test::sign_order(*f.net->grants, f.owner, test::grant_order(keyless.address, f.app.address)));
    auto req = f.request("out");
    req.dataset = keyless.address;
    CHECK(errno_of([&] { f.net->compute->run(f.consumer, req); }) == ENOKEY);
  }
  SECTION("content changed after registration") {
    const auto location = format::decode_dataset_multiaddr(f.dataset.multiaddr);
    const fs::path content = f.dir.path / "content" / location.text.substr(std::string_view("/p2p/").size());
    fs::permissions(content, fs::perms::owner_write, fs::perm_options::add);
    {  // inverted: a constant may be what the byte already holds
      std::fstream file(content, std::ios::in | std::ios::out | std::ios::binary);
      const char byte = static_cast<char>(file.seekg(100).get());
      file.seekp(100).put(static_cast<char>(~byte));
    }
    CHECK(errno_of([&] { f.net->compute->run(f.consumer, f.request("out")); }) == EBADMSG);
  }
  CHECK(f.net->grants->order(order.hash)->uses == 0);
  CHECK_FALSE(fs::exists(f.scratch.path / "out"));
  CHECK(entries_in(f.dir.path / "tasks") == 0);
}

TEST_CASE("local compute: two processes racing for the last access, exactly one wins", "[network]") {
  Fixture f;
  const auto order = f.grant(10, 1);
  f.net->compute->fund(f.consumer.address(), 10);
  std::vector<pid_t> children;
  for (int i = 0; i < 2; ++i) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int code = 2;
      try {
        auto net = f.dir.open();
        net->compute->run(f.consumer, f.request("race" + std::to_string(i)));
        code = 0;
      } catch (const Error& e) {
        code = e.code() == EACCES || e.code() == EDQUOT ? 1 : 3;
      } catch (...) {
      }
      ::_exit(code);
    }
    children.push_back(pid);
  }
  int wins = 0, refusals = 0;
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    wins += WEXITSTATUS(status) == 0;
    refusals += WEXITSTATUS(status) == 1;
  }
  CHECK(wins == 1);
  CHECK(refusals == 1);
  CHECK(f.net->grants->order(order.hash)->uses == 1);
  CHECK(f.net->compute->balance(f.consumer.address()) == 0);
  CHECK(f.net->compute->balance(f.owner.address()) == 10);
}

TEST_CASE("local grants: leftovers of a crashed writer are ignored, then cleaned", "[network]") {
  Fixture f;
  const auto order = f.grant(1, 1);
  f.net->compute->fund(f.consumer.address(), 5);
  const auto account = f.dir.path / "accounts" / f.consumer.address().to_lowercase();
  const std::vector<fs::path> temporaries = {f.dir.path / "grants" / ".0xab.json.partial-AbCdEf",
                                             f.dir.path / "tasks" / ".0xcd.json.partial-AbCdEf",
                                             account / ".0xef.json.partial-AbCdEf"};
  for (const auto& t : temporaries) std::ofstream(t) << "{\"half";
  fs::create_directory(f.dir.path / "apps" / ".register-Xy12Zw");
  std::ofstream(f.dir.path / "apps" / ".register-Xy12Zw" / "app") << "partial executable";
  std::ofstream(f.dir.path / "accounts" / "stray") << "not an account";  // a stray file is left alone
  // A damaged order file (from outside: written files are whole) is skipped, not fatal.
  std::ofstream(f.dir.path / "grants" / (to_hex0x(random_array<32>()) + ".json")) << "{\"orderHash\":";

  CHECK(f.net->grants->open_orders(f.dataset.address).size() == 1);
  CHECK(f.net->compute->balance(f.consumer.address()) == 5);
  auto reopened = f.dir.open();
  for (const auto& t : temporaries) CHECK_FALSE(fs::exists(t));
  CHECK_FALSE(fs::exists(f.dir.path / "apps" / ".register-Xy12Zw"));
  CHECK(reopened->grants->order(order.hash).has_value());
  CHECK(reopened->compute->find_app(f.app.address).has_value());
  CHECK(reopened->compute->balance(f.consumer.address()) == 5);
}

TEST_CASE("local compute: arguments are split into words as a shell would, without expansions", "[network]") {
  using network::local::split_args;
  CHECK(split_args("").empty());
  CHECK(split_args("  a  b\tc ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_args(R"('x y' "a \"b\" \\ \$" c\ d e'f'"g")") ==
        std::vector<std::string>{"x y", R"(a "b" \ \$)", "c d", "efg"});
  CHECK(split_args("'' \"\"") == std::vector<std::string>{"", ""});
  CHECK(errno_of([] { split_args("'open"); }) == EINVAL);
  CHECK(errno_of([] { split_args("\"open"); }) == EINVAL);
  CHECK(errno_of([] { split_args("end\\"); }) == EINVAL);
}
