#include "protectedfs/cache/metadata_db.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cache/guarded_db.hpp"
#include "cache/key_migration.hpp"
#include "cache/node_codec.hpp"
#include "cache/sealed.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cache {

namespace {

std::string ino_key(char kind, uint64_t ino) {
  std::string key{kind, '/'};
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>((ino >> shift) & 0xff));
  return key;
}

uint64_t ino_of(const rocksdb::Slice& key) {
  uint64_t ino = 0;
  for (std::size_t i = 2; i < 10; ++i) ino = (ino << 8) | static_cast<uint8_t>(key[i]);
  return ino;
}

std::string address_key(const std::string& address) {
  if (address.empty()) throw Error(EINVAL, "cache: a data key needs a dataset address");
  std::string key = "k/";
  for (char c : address) key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return key;
}

// Names a record in messages: the kind and the id, never the value.
std::string describe(const rocksdb::Slice& key) {
  if (key.size() == 10 && (key[0] == 'n' || key[0] == 'j') && key[1] == '/')
    return std::string{key[0], '/'} + std::to_string(ino_of(key));
  return key.ToString();
}

constexpr bool kSynced = true;
constexpr bool kUnsynced = false;

// Every record under "<kind>/", in key order; `each(key, value)`.
template <typename Each>
void scan(GuardedDb& db, char kind, const std::string& what, Each&& each) {
  db.scan(std::string{kind, '/'}, what, each);
}

// Marks a cache whose tree records are sealed. A cache written before sealing has plain records and no marker: its
// records are sealed in one batch when it is opened (seal_plain_tree), and from then on a plain record is an error.
const std::string kSealedTreeMarker = "m/tree-sealed";

void check_batch(const rocksdb::Status& status) {
  if (!status.ok()) throw Error(EIO, "cache: building a write batch: " + status.ToString());
}

class Tree final : public core::TreeStore {
 public:
  Tree(GuardedDb& db, const MasterKey& master) : db_(db), master_(master) {}

  std::vector<core::NodeRecord> load() override {
    std::vector<core::NodeRecord> nodes;
    scan(db_, 'n', "cache: reading the tree", [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
      const std::string what = describe(key);
      if (key.size() != 10) throw Error(EIO, "cache record " + what + ": malformed node key");
      core::NodeRecord node = decode_node(unseal(master_, key.ToStringView(), value.ToStringView(), what), what);
      if (node.ino != ino_of(key))
        throw Error(EIO, "cache record " + what + ": holds node " + std::to_string(node.ino));
      nodes.push_back(std::move(node));
    });
    return nodes;
  }

  void put(const core::NodeRecord& node) override {
    const std::string key = ino_key('n', node.ino);
    db_.put(key, seal(master_, key, encode_node(node)), kUnsynced, "cache: writing " + describe(key));
  }

  void erase(uint64_t ino) override {
    const std::string key = ino_key('n', ino);
    db_.erase(key, kUnsynced, "cache: erasing " + describe(key));
  }

  void write(std::span<const core::NodeRecord> puts, std::span<const uint64_t> erases) override {
    rocksdb::WriteBatch batch;
    for (const core::NodeRecord& node : puts) {
      const std::string key = ino_key('n', node.ino);
      check_batch(batch.Put(key, seal(master_, key, encode_node(node))));
    }
    for (const uint64_t ino : erases) check_batch(batch.Delete(ino_key('n', ino)));
    db_.write(batch, kUnsynced, "cache: writing " + std::to_string(puts.size() + erases.size()) + " tree records");
  }

  // fsync of the WAL: every put/erase before it (all in the WAL, in order) is now on disk.
  void sync() override { db_.sync("cache: syncing the write-ahead log"); }

 private:
  GuardedDb& db_;
  const MasterKey& master_;
};

// A cache from before tree records were sealed: every record sealed, and the marker set, in one synced batch (a
// crash leaves it all plain or all sealed). A record that does not decode is left for load() to report.
void put_in_batch(rocksdb::WriteBatch& batch, const rocksdb::Slice& key, const rocksdb::Slice& value) {
  check_batch(batch.Put(key, value));
}

void seal_plain_tree(GuardedDb& db, const MasterKey& master) {
  if (db.get(kSealedTreeMarker, "cache: reading " + kSealedTreeMarker)) return;
  rocksdb::WriteBatch batch;
  scan(db, 'n', "cache: sealing the tree", [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    if (key.size() != 10) return;
    try {
      decode_node(value.ToStringView(), describe(key));
    } catch (const Error&) {
      return;
    }
    put_in_batch(batch, key, seal(master, key.ToStringView(), value.ToStringView()));
  });
  put_in_batch(batch, kSealedTreeMarker, "1");
  db.write(batch, kSynced, "cache: sealing the tree");
}

class Keys final : public core::KeyStore {
 public:
  Keys(GuardedDb& db, const MasterKey& master) : db_(db), master_(master) {}

  void put(const std::string& dataset_address, const std::string& key_base64) override {
    const std::string key = address_key(dataset_address);
    db_.put(key, seal(master_, key, key_base64), kSynced, "cache: writing " + key);
  }

  std::optional<std::string> get(const std::string& dataset_address) override {
    const std::string key = address_key(dataset_address);
    const auto value = db_.get(key, "cache: reading " + key);
    if (!value) return std::nullopt;
    return unseal(master_, key, *value, key);
  }

 private:
  GuardedDb& db_;
  const MasterKey& master_;
};

class Journal final : public core::PublishJournal {
 public:
  Journal(GuardedDb& db, const MasterKey& master) : db_(db), master_(master) {}

  void put(uint64_t data_ino, const std::string& entry) override {
    const std::string key = ino_key('j', data_ino);
    db_.put(key, seal(master_, key, entry), kSynced, "cache: writing " + describe(key));
  }

  void erase(uint64_t data_ino) override {
    const std::string key = ino_key('j', data_ino);
    db_.erase(key, kSynced, "cache: erasing " + describe(key));
  }

  std::optional<std::string> get(uint64_t data_ino) override {
    const std::string key = ino_key('j', data_ino);
    const auto value = db_.get(key, "cache: reading " + describe(key));
    if (!value) return std::nullopt;
    return unseal(master_, key, *value, describe(key));
  }

  std::map<uint64_t, std::string> load() override {
    std::map<uint64_t, std::string> entries;
    scan(db_, 'j', "cache: reading the publish journal", [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
      const std::string what = describe(key);
      if (key.size() != 10) throw Error(EIO, "cache record " + what + ": malformed journal key");
      entries.emplace(ino_of(key), unseal(master_, key.ToStringView(), value.ToStringView(), what));
    });
    return entries;
  }

 private:
  GuardedDb& db_;
  const MasterKey& master_;
};

}  // namespace

struct MetadataDb::Impl {
  std::string dir;
  MasterKey master;
  std::unique_ptr<GuardedDb> db;  // syncs (unless suspended) and closes when destroyed
  std::unique_ptr<Tree> tree;
  std::unique_ptr<Keys> keys;
  std::unique_ptr<Journal> journal;

  ~Impl() {
    db.reset();
    sodium_memzero(master.data(), master.size());
  }
};

MetadataDb::MetadataDb(const std::string& dir, const MasterKey& master_key, const LegacyKey& legacy_key)
    : MetadataDb(dir, master_key, DbHooks{}, legacy_key) {}

MetadataDb::MetadataDb(const std::string& dir, const MasterKey& master_key, const DbHooks& hooks,
                       const LegacyKey& legacy_key)
    : impl_(std::make_unique<Impl>()) {
  if (sodium_init() < 0) throw Error(EIO, "libsodium failed to initialise");
  impl_->dir = dir;
  impl_->master = master_key;
  create_private_directories(dir);  // 0700 whatever the umask: it holds the tree and the sealed keys
  impl_->db = std::make_unique<GuardedDb>(dir, hooks);
  migrate_metadata(*impl_->db, impl_->master, legacy_key);  // before: it leaves a plain tree for the next line
  seal_plain_tree(*impl_->db, impl_->master);
  impl_->tree = std::make_unique<Tree>(*impl_->db, impl_->master);
  impl_->keys = std::make_unique<Keys>(*impl_->db, impl_->master);
  impl_->journal = std::make_unique<Journal>(*impl_->db, impl_->master);
}

MetadataDb::~MetadataDb() = default;

core::TreeStore& MetadataDb::tree() { return *impl_->tree; }
core::KeyStore& MetadataDb::keys() { return *impl_->keys; }
core::PublishJournal& MetadataDb::journal() { return *impl_->journal; }
const std::string& MetadataDb::dir() const { return impl_->dir; }
std::string MetadataDb::trouble() const { return impl_->db->trouble(); }

}  // namespace pfs::cache
