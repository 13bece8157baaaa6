// What is specific to the embedded local network: its layout and modes, how it names datasets and records, and the
// SMS side of secret pushes.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "local_fixture.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/sms_challenge.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "vectors.hpp"

using namespace pfs;
using pfs::test::errno_of;
using pfs::test::LocalNetworkDir;

namespace {

mode_t mode_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::size_t entries_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

network::Registration sample_registration(const std::string& name) {
  return {name, format::multiaddr_p2p(random_array<32>()), random_array<32>(), R"({"email":"string"})"};
}

}  // namespace

TEST_CASE("local network: first use creates the layout, with its name and chain id", "[network]") {
  LocalNetworkDir dir;
  auto net = dir.open();
  CHECK(net->name == "local");
  CHECK(net->chain_id == 65535);
  CHECK(std::filesystem::is_regular_file(dir.path / "LOCK"));
  CHECK(std::filesystem::is_directory(dir.path / "content"));
  CHECK(std::filesystem::is_directory(dir.path / "registry"));
  CHECK(mode_of(dir.path / "secrets") == 0700);
  for (const char* folder : {"grants", "tasks", "results", "accounts", "apps"})
    CHECK(std::filesystem::is_directory(dir.path / folder));
  // Opening again (another daemon) keeps everything.
  auto again = dir.open();
  CHECK(entries_in(dir.path) == 9);
}

TEST_CASE("local network: dataset address and tx follow the documented derivation", "[network]") {
  namespace abi = crypto::abi;
  LocalNetworkDir dir;
  auto net = dir.open();
  const auto key = crypto::PrivateKey::generate();
  const auto reg = sample_registration("medical");
  const auto record = net->registry->register_dataset(key, reg);

  const Hash32 hash =
      crypto::keccak256(abi::encode({abi::Value::address(key.address()), abi::Value::string(reg.name),
                                     abi::Value::bytes(reg.multiaddr), abi::Value::bytes32(reg.checksum)}));
  CHECK(record.address == crypto::Address::from_bytes(ByteView(hash).subspan(12)));
  const Hash32 tx = crypto::keccak256(abi::encode(
      {abi::Value::address(record.address), abi::Value::address(record.owner), abi::Value::string(record.name),
       abi::Value::bytes(record.multiaddr), abi::Value::bytes32(record.checksum), abi::Value::string(record.schema),
       abi::Value::uint256(crypto::Uint256(record.created))}));
  CHECK(record.tx == to_hex0x(tx));
  // One JSON file named by the lowercase address.
  CHECK(std::filesystem::is_regular_file(dir.path / "registry" / (record.address.to_lowercase() + ".json")));
  CHECK(entries_in(dir.path / "registry") == 1);
}

TEST_CASE("local network: a name that is not UTF-8 is EINVAL and writes nothing", "[network]") {
  LocalNetworkDir dir;
  auto net = dir.open();
  const auto key = crypto::PrivateKey::generate();
  CHECK(errno_of([&] { net->registry->register_dataset(key, sample_registration("bad\xff")); }) == EINVAL);
  CHECK(entries_in(dir.path / "registry") == 0);
  CHECK(net->registry->list_by_owner(key.address()).empty());
}

TEST_CASE("local network: stored content is read-only and uploads leave no temporary behind", "[network]") {
  LocalNetworkDir dir;
  auto net = dir.open();
  const Bytes bytes = test::generated_bytes(300000, 3);
  std::string cid;
  {
    auto upload = net->storage->begin_upload();
    upload->write(bytes);
    CHECK(entries_in(dir.path / "content") == 1);  // the upload's temporary
    cid = upload->commit();
    CHECK(errno_of([&] { upload->commit(); }) == EINVAL);
    CHECK(errno_of([&] { upload->write(bytes); }) == EINVAL);
  }
  CHECK(mode_of(dir.path / "content" / cid) == 0444);
  CHECK(entries_in(dir.path / "content") == 1);
  {
    auto abandoned = net->storage->begin_upload();
    abandoned->write(test::generated_bytes(1000, 4));
  }
  CHECK(entries_in(dir.path / "content") == 1);
}

// Uploads skip the page cache (O_DIRECT through an aligned buffer): pieces of any size, an unaligned tail and a
// store that hashes the bytes itself or takes the writer's CID all give the same stored file.
TEST_CASE("local network: content written in pieces of any size is stored whole, under its CID", "[network]") {
  LocalNetworkDir dir;
  auto net = dir.open();
  const Bytes bytes = test::generated_bytes((3 << 20) + 4096 + 4111, 5);
  const std::size_t pieces[] = {1, 4095, (1 << 20) + 17, 3 << 20, 7};
  const std::string expected = format::CidBuilder::of(bytes).cid;
  for (const bool writer_named : {false, true}) {
    auto upload = net->storage->begin_upload();
    for (std::size_t at = 0, i = 0; at < bytes.size(); ++i) {
      const std::size_t n = std::min(pieces[i % std::size(pieces)], bytes.size() - at);
      upload->write(ByteView(bytes).subspan(at, n));
      at += n;
    }
    CHECK((writer_named ? upload->commit_as(expected) : upload->commit()) == expected);
    const auto stored = net->storage->open(expected);
    REQUIRE(stored->size() == bytes.size());
    Bytes back(bytes.size());
    stored->read_at(0, back);
    CHECK(back == bytes);
  }
  CHECK(entries_in(dir.path / "content") == 1);
}

TEST_CASE("local network: the SMS side checks the signature against the registry's owner", "[network]") {
  LocalNetworkDir dir;
  auto net = dir.open();
  auto& sms = test::local_secrets(*net);
  const auto owner = crypto::PrivateKey::generate();
  const auto other = crypto::PrivateKey::generate();
  const auto dataset = net->registry->register_dataset(owner, sample_registration("d")).address;
  const std::string key = to_base64(random_array<32>());

  // Signed by someone else, signed for another body or another dataset, or not a signature at all.
  CHECK(errno_of([&] { sms.receive(crypto::sms_authorization(other, dataset, key), dataset, key); }) == EACCES);
  CHECK(errno_of([&] { sms.receive(crypto::sms_authorization(owner, dataset, key + "x"), dataset, key); }) == EACCES);
  const crypto::Address elsewhere(random_array<20>());
  CHECK(errno_of([&] { sms.receive(crypto::sms_authorization(owner, elsewhere, key), dataset, key); }) == EACCES);
  CHECK(errno_of([&] { sms.receive("0x1234", dataset, key); }) == EACCES);
  CHECK(errno_of([&] { sms.receive("", dataset, key); }) == EACCES);
  CHECK_FALSE(sms.exists(dataset));
  CHECK_FALSE(sms.read_for_enclave(dataset));

  sms.receive(crypto::sms_authorization(owner, dataset, key), dataset, key);
  CHECK(sms.read_for_enclave(dataset) == key);
  CHECK(test::local_secrets(*dir.open()).read_for_enclave(dataset) == key);
  const auto file = dir.path / "secrets" / dataset.to_lowercase();
  CHECK(mode_of(file) == 0600);
  CHECK(entries_in(dir.path / "secrets") == 1);
}
