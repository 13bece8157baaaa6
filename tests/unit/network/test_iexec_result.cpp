// Compute::result on the iExec profile against the real local peers, which have no worker: a deal made as `run`
// makes it, then iexec_worker_standin.mjs plays the workerpool (hub.initialize, then contributeAndFinalize with a
// result zip it put on the peers' IPFS), and the result is read back as the SDK's fetchTaskResults reads it (the
// same bytes, checked against the SDK's own download), plain and encrypted for the consumer's key; a run that
// follows its task gets the result itself once the stand-in completes it; a task that uploaded nothing (ENOENT) or
// stored its result elsewhere (ENOTSUP) is refused where the SDK refuses it.
// Skipped without PFS_PEERS_ENV (see iexec_fixture.hpp).
#include <catch2/catch.hpp>
#include <fstream>
#include <future>

#include "iexec_fixture.hpp"
#include "iexec_peer_tools.hpp"
#include "protectedfs/crypto/result_cipher.hpp"
#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/network/task_result.hpp"
#include "protectedfs/util/file.hpp"
#include "temp_dir.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::network;
using pfs::test::errno_of;
using pfs::test::tag_09;

namespace {

// One step of the stand-in workerpool.
nlohmann::json standin(const test::IexecPeers& peers, const std::string& args) {
  return test::run_peers_script(peers, "iexec_worker_standin.mjs", args);
}

}  // namespace

TEST_CASE("iexec: result fetches a completed task's zip as the SDK does (plain and encrypted for the consumer)",
          "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  auto context = std::make_shared<iexec::Context>(peers.profile());
  auto net = peers.open();
  const crypto::Address app = peers.address("PFS_APP");
  test::offer_free_app_and_workerpool(peers, context);

  const auto owner = peers.new_wallet();
  const auto consumer = peers.new_wallet();
  const Registration registration{"pfs-" + to_hex(random_array<6>()), format::multiaddr_p2p(random_array<32>()),
                                  random_array<32>(), R"({"email":"string"})"};
  const auto dataset = net->registry->register_dataset(owner, registration);
  crypto::DatasetOrder grant;
  grant.dataset = dataset.address;
  grant.volume = 5;
  grant.tag = tag_09();
  grant.apprestrict = app;
  grant.requesterrestrict = consumer.address();
  grant.salt = random_array<32>();
  const auto domain = net->grants->domain();
  const SignedOrder signed_grant{grant, grant.sign(owner, domain), grant.hash(domain)};
  net->grants->publish(owner, signed_grant);

  // What a post-compute uploads: $IEXEC_OUT zipped, and for the encrypted run that zip sealed for the consumer.
  test::TempDir dir;
  std::filesystem::create_directories(dir.path / "iexec_out" / "sub");
  std::ofstream(dir.path / "iexec_out" / "computed.json") << R"({"deterministic-output-path":"/iexec_out/a.txt"})";
  std::ofstream(dir.path / "iexec_out" / "sub" / "a.txt") << "the answer\n";
  const Bytes zip = zip_folder(dir.path / "iexec_out");
  const auto keys = crypto::generate_result_key_pair();

  for (const bool encrypted : {false, true}) {
    INFO("encrypted: " << encrypted);
    RunRequest request{dataset.address, app, "--hello", dir.sub("unused"), std::nullopt};
    request.encrypt_result = encrypted;
    const RunResult run = net->compute->run(consumer, request);
    CHECK_FALSE(run.delivered);                                          // task_timeout 0: matched, not followed
    CHECK(errno_of([&] { net->compute->result(run.task); }) == ENOENT);  // UNSET: not started by the workerpool

    CHECK(standin(peers, "initialize " + run.task)["deal"].is_string());
    try {
      net->compute->result(run.task);
      FAIL("an ACTIVE task gave a result");
    } catch (const Error& e) {
      CHECK(e.code() == EAGAIN);
      CHECK(std::string(e.what()).find("ACTIVE") != std::string::npos);
    }

    const Bytes stored = encrypted ? seal_result_envelope(zip, keys.public_pem) : zip;
    const auto file = dir.path / ("stored-" + std::to_string(encrypted) + ".zip");
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(stored.data()), stored.size());
    const auto sdk = standin(peers, "finalize " + run.task + " '" + file.string() + "'");
    CHECK(sdk["status"] == 3);  // COMPLETED

    const Bytes fetched = net->compute->result(run.task);
    CHECK(fetched == stored);
    CHECK(sdk["sdkSize"] == stored.size());
    CHECK(sdk["sdkSha256"] == to_hex(crypto::Sha256::digest(fetched)));  // the SDK downloaded the same bytes
    CHECK(is_result_envelope(fetched) == encrypted);
    const Bytes plain = encrypted ? open_result_envelope(fetched, keys.private_pem) : fetched;
    const auto out = dir.path / ("out-" + std::to_string(encrypted));
    unzip_result(plain, out);
    CHECK(read_whole_file(out / "sub" / "a.txt") == std::optional<std::string>("the answer\n"));
    CHECK(read_whole_file(out / "computed.json").has_value());
  }

  // A run that follows its task (task_timeout > 0) delivers the result itself once the workerpool completes it.
  {
    auto profile = peers.profile();
    profile.task_timeout = std::chrono::seconds(120);
    auto following = open_iexec_network(profile);
    const RunRequest request{dataset.address, app, "", dir.path / "followed", std::nullopt};
    auto running = std::async(std::launch::async, [&] { return following->compute->run(consumer, request); });
    const std::string task = standin(peers, "initialize-next " + to_hex0x(signed_grant.hash))["task"];
    const auto file = dir.path / "followed.zip";
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(zip.data()), zip.size());
    standin(peers, "finalize " + task + " '" + file.string() + "'");
    const RunResult run = running.get();
    CHECK(run.delivered);
    CHECK(run.task == task);
    CHECK(read_whole_file(dir.path / "followed" / "sub" / "a.txt") == std::optional<std::string>("the answer\n"));
  }

  // A task that uploaded nothing, and one whose result is elsewhere: refused as the SDK refuses them.
  const struct {
    std::string results;
    int code;
    std::string sdk_error;
  } others[] = {{"", ENOENT, "No result uploaded for this task"},
                {R"({"storage":"dropbox","location":"/results/x.zip"})", ENOTSUP,
                 "Task result stored on dropbox, download not supported"}};
  for (const auto& other : others) {
    INFO("results: " << other.results);
    RunRequest request{dataset.address, app, "", dir.sub("unused"), std::nullopt};
    const RunResult run = net->compute->run(consumer, request);
    standin(peers, "initialize " + run.task);
    const auto sdk = standin(peers, "finalize " + run.task + " --results '" + other.results + "'");
    CHECK(sdk["status"] == 3);
    CHECK(sdk["sdkError"] == other.sdk_error);
    CHECK(errno_of([&] { net->compute->result(run.task); }) == other.code);
  }
  CHECK(errno_of([&] { net->compute->result("0x1234"); }) == EINVAL);
}
