// The network contract (see contract_network.hpp). SECTIONs re-run the calling TEST_CASE, so each starts from
// whatever fresh state the caller's fixture gives.
#include "contract_network.hpp"

#include <catch2/catch.hpp>

#include <chrono>

#include "contract_support.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/util/error.hpp"
#include "vectors.hpp"

namespace pfs::test {
namespace {

using network::DatasetRecord;
using network::Registration;

Bytes read_all(const RandomAccessSource& source) {
  Bytes out(source.size());
  source.read_at(0, out);
  return out;
}

std::string commit_bytes(network::ContentStore& store, ByteView bytes, std::size_t piece) {
  auto upload = store.begin_upload();
  for (std::size_t at = 0; at < bytes.size(); at += piece)
    upload->write(bytes.subspan(at, std::min(piece, bytes.size() - at)));
  return upload->commit();
}

Bytes random_bytes(std::size_t size) {
  Bytes out(size);
  random_fill(out);
  return out;
}

std::vector<crypto::Address> addresses(const std::vector<DatasetRecord>& records) {
  std::vector<crypto::Address> out;
  for (const auto& r : records) out.push_back(r.address);
  return out;
}

uint64_t now_seconds() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void require_same(const DatasetRecord& a, const DatasetRecord& b) {
  CHECK(a.address == b.address);
  CHECK(a.owner == b.owner);
  CHECK(a.name == b.name);
  CHECK(a.multiaddr == b.multiaddr);
  CHECK(a.checksum == b.checksum);
  CHECK(a.schema == b.schema);
  CHECK(a.created == b.created);
  CHECK(a.tx == b.tx);
}

}  // namespace

void check_content_store_contract(const NetworkUnderTest& net) {
  auto network = net.open();
  auto& store = *network->storage;

  SECTION("an upload committed is stored under the CIDv0 of its bytes, readable at any offset") {
    // Random bytes: a real IPFS may hold any fixed content already. Three chunks and a bit: a two-level DAG.
    const Bytes bytes = random_bytes(3 * format::kIpfsChunkSize + 17);
    const std::string cid = commit_bytes(store, bytes, 100000);
    CHECK(cid == format::CidBuilder::of(bytes).cid);
    CHECK(store.has(cid));
    auto source = store.open(cid);
    REQUIRE(source->size() == bytes.size());
    CHECK(read_all(*source) == bytes);
    Bytes middle(1000);
    source->read_at(format::kIpfsChunkSize - 500, middle);
    CHECK(std::equal(middle.begin(), middle.end(), bytes.begin() + format::kIpfsChunkSize - 500));
    // Another handle (another process) sees it too.
    auto other = net.open();
    CHECK(other->storage->has(cid));
    CHECK(read_all(*other->storage->open(cid)) == bytes);
  }

  SECTION("the same bytes uploaded twice give the same CID and stay readable") {
    Bytes bytes = random_bytes(5000);
    const std::string first = commit_bytes(store, bytes, 4096);
    auto held = store.open(first);
    const std::string second = commit_bytes(store, bytes, 1);
    CHECK(first == second);
    CHECK(read_all(*held) == bytes);
    CHECK(read_all(*store.open(second)) == bytes);
  }

  SECTION("an empty upload is the CID of no bytes") {
    const std::string cid = store.begin_upload()->commit();
    CHECK(cid == format::CidBuilder::of({}).cid);
    CHECK(store.has(cid));
    CHECK(store.open(cid)->size() == 0);
  }

  SECTION("an upload destroyed without commit leaves nothing") {
    Bytes bytes = random_bytes(70000);
    {
      auto upload = store.begin_upload();
      upload->write(bytes);
    }
    const std::string cid = format::CidBuilder::of(bytes).cid;
    CHECK_FALSE(store.has(cid));
    CHECK(errno_of([&] { store.open(cid); }) == ENOENT);
  }

  SECTION("removed content is no longer held; removing it again, or content never held, is harmless") {
    const Bytes bytes = random_bytes(70000);
    const std::string cid = commit_bytes(store, bytes, 65536);
    REQUIRE(store.has(cid));
    store.remove(cid);
    CHECK_FALSE(store.has(cid));
    CHECK(errno_of([&] { store.open(cid); }) == ENOENT);
    store.remove(cid);
    store.remove(format::cid_v0_from_digest(random_array<32>()));
    CHECK(errno_of([&] { store.remove("not-a-cid"); }) == EINVAL);
  }

  SECTION("content not held is ENOENT") {
    const std::string cid = format::cid_v0_from_digest(random_array<32>());
    CHECK_FALSE(store.has(cid));
    CHECK(errno_of([&] { store.open(cid); }) == ENOENT);
  }

  SECTION("malformed CIDs are EINVAL, so a CID never names anything but content") {
    const std::string valid = format::CidBuilder::of(as_bytes("x")).cid;
    std::string slashes = "Qm";
    slashes.append(44, '/');
    std::string longer = valid;
    longer.push_back('a');
    std::string dotted = valid.substr(0, 44);
    dotted.append("/.");
    const std::vector<std::string> malformed = {"",
                                                "..",
                                                "../LOCK",
                                                "/etc/passwd",
                                                valid.substr(0, 45),
                                                longer,
                                                slashes,
                                                "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
                                                dotted,
                                                "Qm../../../../../../../../../../../etc/passwd"};
    for (const std::string& bad : malformed) {
      INFO("cid: " << bad);
      CHECK(errno_of([&] { store.has(bad); }) == EINVAL);
      CHECK(errno_of([&] { store.open(bad); }) == EINVAL);
    }
  }
}

void check_registry_contract(const NetworkUnderTest& net) {
  auto network = net.open();
  auto& registry = *network->registry;
  const auto alice = net.new_wallet();
  const auto bob = net.new_wallet();
  const std::string tag = unique_tag();

  SECTION("a registration is found by address, with every field as registered") {
    const Registration reg = make_registration(tag + "-doc", "{\"" + tag + "\":\"string\"}");
    const uint64_t before = now_seconds();
    const DatasetRecord record = registry.register_dataset(alice, reg);
    const uint64_t after = now_seconds();
    CHECK(record.owner == alice.address());
    CHECK_FALSE(record.address.is_zero());
    CHECK(record.name == reg.name);
    CHECK(record.multiaddr == reg.multiaddr);
    CHECK(record.checksum == reg.checksum);
    CHECK(record.schema == reg.schema);
    CHECK(record.created >= before);
    CHECK(record.created <= after);
    CHECK(record.tx.size() == 66);
    CHECK(record.tx.starts_with("0x"));

    auto found = registry.find(record.address);
    REQUIRE(found);
    require_same(*found, record);
    auto again = net.open()->registry->find(record.address);
    REQUIRE(again);
    require_same(*again, record);
  }

  SECTION("the same (owner, name, multiaddr, checksum) twice is EEXIST; find_registration sees the first") {
    const Registration reg = make_registration(tag, "{\"" + tag + "\":\"f64\"}");
    CHECK_FALSE(registry.find_registration(alice.address(), reg));
    const crypto::Address predicted = registry.predicted_address(alice.address(), reg);
    const DatasetRecord record = registry.register_dataset(alice, reg);
    CHECK(record.address == predicted);  // known before it was sent (the publisher stores the key there first)
    CHECK(errno_of([&] { registry.register_dataset(alice, reg); }) == EEXIST);
    CHECK(errno_of([&] { net.open()->registry->register_dataset(alice, reg); }) == EEXIST);

    auto landed = registry.find_registration(alice.address(), reg);
    REQUIRE(landed);
    require_same(*landed, record);
    CHECK_FALSE(registry.find_registration(bob.address(), reg));

    // Another owner, or any other field changed, is another dataset.
    const DatasetRecord bobs = registry.register_dataset(bob, reg);
    CHECK(bobs.address != record.address);
    CHECK(bobs.address == registry.predicted_address(bob.address(), reg));
    Registration fresh_iv = reg;
    fresh_iv.checksum = random_array<32>();
    CHECK(registry.register_dataset(alice, fresh_iv).address != record.address);
    Registration renamed = reg;
    renamed.name += "-2";
    CHECK(registry.register_dataset(alice, renamed).address != record.address);
    CHECK(registry.list_by_owner(alice.address()).size() == 3);
  }

  SECTION("an unknown dataset is not found") { CHECK_FALSE(registry.find(crypto::Address(random_array<20>()))); }

  SECTION("list_by_owner gives an owner's datasets, oldest first") {
    CHECK(registry.list_by_owner(alice.address()).empty());
    std::vector<crypto::Address> alices;
    std::vector<crypto::Address> bobs;
    for (int i = 0; i < 5; ++i) {
      const std::string schema = "{\"" + tag + "\":\"bool\"}";
      alices.push_back(
          registry.register_dataset(alice, make_registration(tag + "-a" + std::to_string(i), schema)).address);
      if (i % 2 == 0)
        bobs.push_back(
            registry.register_dataset(bob, make_registration(tag + "-b" + std::to_string(i), schema)).address);
    }
    CHECK(addresses(registry.list_by_owner(alice.address())) == alices);
    CHECK(addresses(net.open()->registry->list_by_owner(bob.address())) == bobs);
    CHECK(registry.list_by_owner(net.new_wallet().address()).empty());
  }

  SECTION("find_by_schema matches every required path:type, optionally of one owner") {
    const std::string email = tag + "_email";
    const DatasetRecord d1 = registry.register_dataset(
        alice, make_registration(tag + "-1", "{\"" + tag + "_age\":\"f64\",\"" + email + "\":\"string\"}"));
    const DatasetRecord d2 = registry.register_dataset(
        alice, make_registration(tag + "-2", "{\"" + tag + "_doc\":\"application/pdf\",\"" + email +
                                                 "\":\"string\",\"" + tag + "_smtp\":{\"port\":\"f64\"}}"));
    const DatasetRecord d3 =
        registry.register_dataset(bob, make_registration(tag + "-3", "{\"" + email + "\":\"string\"}"));
    const std::string email_string = email + ":string";

    CHECK(addresses(registry.find_by_schema({email_string}, std::nullopt)) ==
          std::vector{d1.address, d2.address, d3.address});
    CHECK(addresses(registry.find_by_schema({email_string, tag + "_age:f64"}, std::nullopt)) ==
          std::vector{d1.address});
    CHECK(addresses(registry.find_by_schema({tag + "_smtp.port:f64"}, std::nullopt)) == std::vector{d2.address});
    CHECK(addresses(registry.find_by_schema({tag + "_doc:application/pdf", email_string}, std::nullopt)) ==
          std::vector{d2.address});
    CHECK(addresses(registry.find_by_schema({email_string}, alice.address())) == std::vector{d1.address, d2.address});
    CHECK(addresses(registry.find_by_schema({email_string}, bob.address())) == std::vector{d3.address});
    // A path with another type, a nested object itself, or a missing path match nothing.
    CHECK(registry.find_by_schema({email + ":f64"}, std::nullopt).empty());
    CHECK(registry.find_by_schema({tag + "_smtp:f64"}, std::nullopt).empty());
    CHECK(registry.find_by_schema({email_string, tag + "_missing:bool"}, std::nullopt).empty());
    CHECK(registry.find_by_schema({tag + "_age:f64"}, bob.address()).empty());
  }

  SECTION("transfer: only the owner gives a dataset away; every view follows; the secret stays") {
    const std::string schema = "{\"" + tag + "_t\":\"string\"}";
    const DatasetRecord kept = registry.register_dataset(alice, make_registration(tag + "-kept", schema));
    const DatasetRecord given = registry.register_dataset(alice, make_registration(tag + "-given", schema));
    network->secrets->push(alice, given.address, "key of the given dataset");
    // Another handle lists first, so that its cached view must notice the change.
    auto other = net.open();
    CHECK(addresses(other->registry->list_by_owner(alice.address())) == std::vector{kept.address, given.address});

    CHECK(errno_of([&] { registry.transfer(bob, given.address, bob.address()); }) == EACCES);
    CHECK(errno_of([&] { registry.transfer(alice, crypto::Address(random_array<20>()), bob.address()); }) == ENOENT);
    CHECK(errno_of([&] { registry.transfer(alice, given.address, crypto::Address::zero()); }) == EINVAL);
    CHECK(registry.find(given.address)->owner == alice.address());

    registry.transfer(alice, given.address, bob.address());
    auto found = other->registry->find(given.address);
    REQUIRE(found);
    CHECK(found->owner == bob.address());
    CHECK(found->name == given.name);
    CHECK(found->checksum == given.checksum);
    CHECK(found->tx == given.tx);
    CHECK(addresses(other->registry->list_by_owner(alice.address())) == std::vector{kept.address});
    CHECK(addresses(other->registry->list_by_owner(bob.address())) == std::vector{given.address});
    CHECK(addresses(registry.find_by_schema({tag + "_t:string"}, bob.address())) == std::vector{given.address});
    CHECK(addresses(registry.find_by_schema({tag + "_t:string"}, alice.address())) == std::vector{kept.address});
    CHECK(network->secrets->exists(given.address));
    // The new owner now holds every right, the previous one none.
    CHECK(errno_of([&] { registry.transfer(alice, given.address, alice.address()); }) == EACCES);
    CHECK(errno_of([&] { network->secrets->push(alice, given.address, "x"); }) == EACCES);
    registry.transfer(bob, given.address, alice.address());
    CHECK(other->registry->find(given.address)->owner == alice.address());
    CHECK(addresses(other->registry->list_by_owner(alice.address())) == std::vector{kept.address, given.address});
    CHECK(other->registry->list_by_owner(bob.address()).empty());
  }
}

void check_secret_store_contract(const NetworkUnderTest& net) {
  auto network = net.open();
  auto& secrets = *network->secrets;
  const auto owner = net.new_wallet();
  const auto stranger = net.new_wallet();
  const DatasetRecord dataset =
      network->registry->register_dataset(owner, make_registration(unique_tag(), "{\"secret\":\"string\"}"));
  const std::string key = to_base64(random_array<32>());

  SECTION("the owner pushes once; the secret then exists, for every handle") {
    CHECK_FALSE(secrets.exists(dataset.address));
    secrets.push(owner, dataset.address, key);
    CHECK(secrets.exists(dataset.address));
    CHECK(net.open()->secrets->exists(dataset.address));
  }

  SECTION("a signer who is not the owner is EACCES") {
    CHECK(errno_of([&] { secrets.push(stranger, dataset.address, key); }) == EACCES);
    CHECK_FALSE(secrets.exists(dataset.address));
    // and the owner can still push afterwards
    secrets.push(owner, dataset.address, key);
    CHECK(secrets.exists(dataset.address));
  }

  SECTION("an unregistered dataset is EACCES (nobody owns it)") {
    const crypto::Address unknown(random_array<20>());
    CHECK(errno_of([&] { secrets.push(owner, unknown, key); }) == EACCES);
    CHECK_FALSE(secrets.exists(unknown));
  }

  SECTION("a secret is never replaced: a second push is EEXIST") {
    secrets.push(owner, dataset.address, key);
    CHECK(errno_of([&] { secrets.push(owner, dataset.address, key); }) == EEXIST);
    CHECK(errno_of([&] { net.open()->secrets->push(owner, dataset.address, key + "x"); }) == EEXIST);
    CHECK(errno_of([&] { secrets.push(stranger, dataset.address, key); }) == EACCES);
  }

  SECTION("over 4096 bytes is EINVAL; 4096 is accepted") {
    CHECK(errno_of([&] { secrets.push(owner, dataset.address, std::string(4097, 'k')); }) == EINVAL);
    CHECK_FALSE(secrets.exists(dataset.address));
    secrets.push(owner, dataset.address, std::string(4096, 'k'));
    CHECK(secrets.exists(dataset.address));
  }
}

}  // namespace pfs::test
