#include "cache/key_migration.hpp"

#include <sodium.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "cache/sealed.hpp"
#include "protectedfs/cache/state_keys.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cache {

MasterKey legacy_v1_key(ByteView staging_master, std::string_view use) {
  Bytes input = to_bytes("protectedfs " + std::string(use) + " key v1");
  input.insert(input.end(), staging_master.begin(), staging_master.end());
  MasterKey key = crypto::keccak256(input);
  wipe(input);
  return key;
}

namespace {

const std::string kMetadataMarker = "m/key-v2";

void wipe_string(std::string& text) { sodium_memzero(text.data(), text.size()); }

bool opens(const MasterKey& key, std::string_view record_key, std::string_view sealed) {
  try {
    std::string plain = unseal(key, record_key, sealed, std::string(record_key));
    wipe_string(plain);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void put_in_batch(rocksdb::WriteBatch& batch, const rocksdb::Slice& key, const rocksdb::Slice& value) {
  const rocksdb::Status status = batch.Put(key, value);
  if (!status.ok()) throw Error(EIO, "cache: re-sealing with the v2 key: " + status.ToString());
}

}  // namespace

Resealer::~Resealer() {
  if (old_) sodium_memzero(old_->data(), old_->size());
}

std::optional<std::string> Resealer::reseal(std::string_view record_key, std::string_view sealed) {
  if (opens(key_, record_key, sealed)) return std::nullopt;
  if (!legacy_) {
    stuck_ = true;
    return std::nullopt;
  }
  if (!old_) old_ = legacy_();
  std::string plain;
  try {
    plain = unseal(*old_, record_key, sealed, std::string(record_key));
  } catch (const Error&) {
    return std::nullopt;
  }
  std::string out = seal(key_, record_key, plain);
  wipe_string(plain);
  ++moved_;
  return out;
}

void migrate_metadata(GuardedDb& db, const MasterKey& key, const LegacyKey& legacy) {
  const std::string what = "cache: re-sealing with the v2 key";
  if (db.get(kMetadataMarker, what)) return;
  Resealer resealer(key, legacy);
  rocksdb::WriteBatch batch;
  std::vector<std::string> kinds = {"k/", "j/"};
  if (db.get("m/tree-sealed", what)) kinds.push_back("n/");  // else the tree is plain, sealed after this
  for (const std::string& kind : kinds) {
    db.scan(kind, what, [&](const rocksdb::Slice& record, const rocksdb::Slice& value) {
      if (auto moved = resealer.reseal(record.ToStringView(), value.ToStringView()))
        put_in_batch(batch, record, *moved);
    });
  }
  if (resealer.stuck()) return;
  put_in_batch(batch, kMetadataMarker, "1");
  db.write(batch, true, what);
  if (resealer.moved() > 0) spdlog::info("cache: {} records re-sealed with the v2 key", resealer.moved());
}

}  // namespace pfs::cache
