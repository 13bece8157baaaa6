// A writer that dies at any point leaves the local network readable: what it left half-written is ignored by
// readers and removed by the next open, what it finished is whole.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "local_fixture.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "vectors.hpp"

using namespace pfs;
using pfs::test::errno_of;
using pfs::test::LocalNetworkDir;

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// a + b without `"literal" + std::string`, on which GCC 12 -O3 reports a false -Wrestrict.
std::string concat(std::string a, std::string_view b) {
  a.append(b);
  return a;
}

network::Registration registration_named(const std::string& name) {
  return {name, format::multiaddr_p2p(random_array<32>()), random_array<32>(), R"({"email":"string"})"};
}

}  // namespace

TEST_CASE("local network: leftovers of a crashed writer are ignored, then cleaned", "[network]") {
  LocalNetworkDir dir;
  auto net = dir.open();
  const auto key = crypto::PrivateKey::generate();
  const auto record = net->registry->register_dataset(key, registration_named("kept"));
  net->secrets->push(key, record.address, "k");
  const Bytes content = test::generated_bytes(1000, 9);
  auto upload = net->storage->begin_upload();
  upload->write(content);
  auto live = net->storage->begin_upload();  // still being written by a live writer while others open and recover
  live->write(content);

  // What a writer killed mid-write leaves: a half-written record and secret temporary, an unlocked upload
  // temporary, and a record file that is damaged (from outside: committed records are always whole).
  const auto registry = dir.path / "registry";
  const auto half_record = registry / ".0x00000000000000000000000000000000000000aa.json.partial-Ab12Cd";
  write_text(half_record, R"({"address":"0x00000000000000000000000000000000000000aa","owner":"0x)");
  const auto half_secret = dir.path / "secrets" / ".0x00000000000000000000000000000000000000aa.partial-Xy34Zw";
  write_text(half_secret, "half");
  const auto dead_upload = dir.path / "content" / ".upload-Qw56Er";
  write_text(dead_upload, "partial ciphertext");
  const crypto::Address damaged_address(random_array<20>());
  write_text(registry / (damaged_address.to_lowercase() + ".json"),
             concat(R"({"address":")", damaged_address.to_lowercase()));
  write_text(registry / "notes.txt", "not a record");

  // Readers ignore all of it.
  auto records = net->registry->list_by_owner(key.address());
  REQUIRE(records.size() == 1);
  CHECK(records[0].address == record.address);
  CHECK(net->registry->find_by_schema({"email:string"}, std::nullopt).size() == 1);
  CHECK(errno_of([&] { net->registry->find(damaged_address); }) == EIO);

  // The next open removes the dead writers' temporaries, and nothing else.
  auto reopened = dir.open();
  CHECK_FALSE(std::filesystem::exists(half_record));
  CHECK_FALSE(std::filesystem::exists(half_secret));
  CHECK_FALSE(std::filesystem::exists(dead_upload));
  CHECK(std::filesystem::exists(registry / "notes.txt"));
  records = reopened->registry->list_by_owner(key.address());
  REQUIRE(records.size() == 1);
  CHECK(test::local_secrets(*reopened).read_for_enclave(record.address) == "k");
  // The uploads that were live during that open still complete.
  const std::string cid = upload->commit();
  CHECK(live->commit() == cid);
  CHECK(reopened->storage->has(cid));
  // Writing goes on as before.
  const auto next = reopened->registry->register_dataset(key, registration_named("next"));
  CHECK(reopened->registry->list_by_owner(key.address()).back().address == next.address);
}

TEST_CASE("local network: a writer killed at a random point leaves only whole files", "[network]") {
  LocalNetworkDir dir;
  dir.open();  // the layout exists before the child starts, so the kill lands among writes
  const auto key = crypto::PrivateKey::generate();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      auto net = dir.open();
      for (unsigned i = 0;; ++i) {
        auto upload = net->storage->begin_upload();
        const Bytes bytes = test::generated_bytes(300000 + i, i);
        upload->write(ByteView(bytes).first(150000));
        upload->write(ByteView(bytes).subspan(150000));
        const std::string cid = upload->commit();
        const auto record = net->registry->register_dataset(
            key, {concat("d", std::to_string(i)), format::encode_dataset_multiaddr(concat("/p2p/", cid)),
                  random_array<32>(), R"({"email":"string"})"});
        net->secrets->push(key, record.address, concat("secret ", record.name));
      }
    } catch (...) {
    }
    ::_exit(1);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ::kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));  // it was still writing when killed

  auto net = dir.open();
  const auto records = net->registry->list_by_owner(key.address());
  CHECK_FALSE(records.empty());
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i].name == concat("d", std::to_string(i)));
    const auto location = format::decode_dataset_multiaddr(records[i].multiaddr);
    const std::string cid = format::cid_v0_from_digest(location.digest);
    // Content is committed before its registration, a secret after it.
    REQUIRE(net->storage->has(cid));
    const auto secret = test::local_secrets(*net).read_for_enclave(records[i].address);
    if (i + 1 < records.size()) CHECK(secret == concat("secret ", records[i].name));
    if (secret) CHECK(*secret == concat("secret ", records[i].name));
  }
  // Every file left in content/ is whole: its name is the CID of its bytes. Temporaries are gone.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path / "content")) {
    const std::string name = entry.path().filename().string();
    INFO(name);
    REQUIRE(format::is_cid_v0(name));
    auto source = net->storage->open(name);
    Bytes bytes(source->size());
    source->read_at(0, bytes);
    CHECK(format::CidBuilder::of(bytes).cid == name);
  }
  for (const char* sub : {"registry", "secrets"})
    for (const auto& entry : std::filesystem::directory_iterator(dir.path / sub))
      CHECK(entry.path().filename().string().front() != '.');
}
