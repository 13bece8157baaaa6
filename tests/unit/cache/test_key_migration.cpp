// The metadata cache's and the vault's keys: the v2 derivation (crypto::derive_key) against fixed vectors, and state
// sealed with the v1 key (keccak256) re-sealed with the v2 key when opened, after which the v1 key is never asked for.
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <numeric>
#include <stdexcept>

#include <rocksdb/db.h>

#include "cache/options.hpp"
#include "protectedfs/cache/metadata_db.hpp"
#include "protectedfs/cache/state_keys.hpp"
#include "protectedfs/cache/wallet_vault.hpp"
#include "temp_dir.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::cache;

namespace {

std::array<uint8_t, 32> staging_master() {
  std::array<uint8_t, 32> key;
  std::iota(key.begin(), key.end(), uint8_t{0});
  return key;
}

// The v1 key, counting how often the migration asks for it.
struct CountingLegacy {
  std::string use;
  std::shared_ptr<int> calls = std::make_shared<int>(0);
  LegacyKey get() const {
    return [use = use, calls = calls] {
      ++*calls;
      return legacy_v1_key(staging_master(), use);
    };
  }
};

// What a second open must not need.
LegacyKey refused_legacy() {
  return []() -> MasterKey { throw std::logic_error("the v1 key was asked for after the migration"); };
}

core::NodeRecord node(uint64_t ino, const std::string& name) {
  core::NodeRecord n;
  n.ino = ino;
  n.parent = 1;
  n.name = name;
  n.kind = 2;
  n.mode = 0100600;
  return n;
}

// A cache as the code before v2 left it: every record sealed with the v1 key, no m/key-v2 marker.
void write_v1_cache(const std::string& dir) {
  {
    MetadataDb db(dir, legacy_v1_key(staging_master(), "metadata"));
    db.tree().put(node(2, "scan.dcm"));
    db.keys().put("0xAbC0000000000000000000000000000000000001", "ZGF0YSBrZXk=");
    db.journal().put(2, "{\"step\":\"register\"}");
  }
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(metadata_db_options(), dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> owned(raw);
  REQUIRE(raw->Delete(rocksdb::WriteOptions(), "m/key-v2").ok());
}

void check_cache(MetadataDb& db) {
  const auto nodes = db.tree().load();
  REQUIRE(nodes.size() == 1);
  CHECK(nodes[0].name == "scan.dcm");
  CHECK(db.keys().get("0xabc0000000000000000000000000000000000001") == "ZGF0YSBrZXk=");
  CHECK(db.journal().load() == std::map<uint64_t, std::string>{{2, "{\"step\":\"register\"}"}});
}

const std::string kDataset = "0xAbC0000000000000000000000000000000000001";

}  // namespace

TEST_CASE("state keys: v2 from the one derivation, v1 kept as it was (fixed vectors)", "[cache]") {
  // hashlib.blake2b(b"protectedfs <use> key v2", key=bytes(range(32)), digest_size=32)
  CHECK(to_hex(state_key(staging_master(), "vault")) ==
        "f95e5a17c2aca16508a2747c5b1076c961b965961f8d484fb9df26d3fd12ded4");
  CHECK(to_hex(state_key(staging_master(), "metadata")) ==
        "163eb46495fdcd050140cf5e656390573c9a7c0dc6f3ce10892b16828a3083d1");
  // js-sha3 keccak256(b"protectedfs <use> key v1" + bytes(range(32))): what earlier versions sealed with
  CHECK(to_hex(legacy_v1_key(staging_master(), "vault")) ==
        "6264300e09591014e437bc0799220642d61d5566caef153132d5787e4a5c3dbe");
  CHECK(to_hex(legacy_v1_key(staging_master(), "metadata")) ==
        "5e93aa4363db08ee1ce9738418463c20ab999ae9cf4455617ca599c9efc74450");
}

TEST_CASE("a metadata cache sealed with the v1 key is re-sealed with the v2 key when opened, once", "[cache]") {
  test::TempDir tmp;
  write_v1_cache(tmp.path);
  const MasterKey v2 = state_key(staging_master(), "metadata");
  const CountingLegacy legacy{"metadata"};
  {
    MetadataDb db(tmp.path, v2, legacy.get());
    check_cache(db);
  }
  CHECK(*legacy.calls == 1);
  {
    MetadataDb db(tmp.path, v2, refused_legacy());  // the second open does not need the v1 key
    check_cache(db);
  }
  // The v1 key opens nothing any more.
  MetadataDb old(tmp.path, legacy_v1_key(staging_master(), "metadata"));
  CHECK(test::errno_of([&] { old.tree().load(); }) == EIO);
  CHECK(test::errno_of([&] { old.keys().get(kDataset); }) == EIO);
  CHECK(test::errno_of([&] { old.journal().load(); }) == EIO);
}

TEST_CASE("a v1 cache opened without the v1 key stays unmigrated until an open that has it", "[cache]") {
  test::TempDir tmp;
  write_v1_cache(tmp.path);
  const MasterKey v2 = state_key(staging_master(), "metadata");
  {
    MetadataDb db(tmp.path, v2);
    CHECK(test::errno_of([&] { db.keys().get(kDataset); }) == EIO);
  }
  const CountingLegacy legacy{"metadata"};
  MetadataDb db(tmp.path, v2, legacy.get());
  check_cache(db);
  CHECK(*legacy.calls == 1);
}

TEST_CASE("a fresh cache never asks for the v1 key", "[cache]") {
  test::TempDir tmp;
  const MasterKey v2 = state_key(staging_master(), "metadata");
  { MetadataDb db(tmp.path, v2, refused_legacy()); }
  MetadataDb db(tmp.path, v2, refused_legacy());
  CHECK(db.tree().load().empty());
}

TEST_CASE("a vault sealed with the v1 key is re-sealed with the v2 key when opened, once", "[cache]") {
  test::TempDir tmp;
  const auto dir = tmp.path / "wallets" / "local-0x1";
  const MasterKey v1 = legacy_v1_key(staging_master(), "vault");
  {
    WalletVault vault(dir, v1);
    vault.put(kDataset, "ZGF0YSBrZXk=");
    vault.put("0x2", "c2Vjb25k");
    vault.put_result_key("-----BEGIN PRIVATE KEY-----");
    vault.hide("lineage/a");
  }
  std::filesystem::remove(dir / "key-v2");  // as the code before v2 left it
  const MasterKey v2 = state_key(staging_master(), "vault");
  {
    // Cut short: opened without the v1 key, an entry written with the v2 key beside the v1 ones.
    WalletVault vault(dir, v2);
    CHECK(test::errno_of([&] { vault.get(kDataset); }) == EIO);
    vault.put("0x3", "dGhpcmQ=");
  }
  CHECK_FALSE(std::filesystem::exists(dir / "key-v2"));
  const CountingLegacy legacy{"vault"};
  {
    WalletVault vault(dir, v2, legacy.get());
    CHECK(vault.get(kDataset) == "ZGF0YSBrZXk=");
  }
  CHECK(*legacy.calls == 1);
  WalletVault vault(dir, v2, refused_legacy());
  CHECK(vault.get(kDataset) == "ZGF0YSBrZXk=");
  CHECK(vault.get("0x2") == "c2Vjb25k");
  CHECK(vault.get("0x3") == "dGhpcmQ=");
  CHECK(vault.result_key() == "-----BEGIN PRIVATE KEY-----");
  CHECK(vault.hidden("lineage/a"));
  WalletVault old(dir, v1);
  CHECK(test::errno_of([&] { old.get(kDataset); }) == EIO);
  CHECK(test::errno_of([&] { old.result_key(); }) == EIO);
}
