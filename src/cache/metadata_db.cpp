#include "protectedfs/cache/metadata_db.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "cache/node_codec.hpp"
#include "cache/options.hpp"
#include "cache/sealed.hpp"
#include "cache/status.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cache {

rocksdb::Options metadata_db_options() {
  rocksdb::Options options;
  options.create_if_missing = true;
  // Defaults otherwise: the WAL is on and written (write(2), not fsync) on every put, which is what makes an
  // unsynced put survive the daemon being killed; manual_wal_flush stays false for the same reason.
  options.keep_log_file_num = 3;  // RocksDB's own info LOG files, not the WAL: the default keeps 1000
  options.max_log_file_size = 1 << 20;
  return options;
}

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

rocksdb::WriteOptions unsynced() { return {}; }
rocksdb::WriteOptions synced() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

// Every record under "<kind>/", in key order; `each(key, value)`.
template <typename Each>
void scan(rocksdb::DB& db, char kind, const std::string& what, Each&& each) {
  const std::string prefix{kind, '/'};
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) each(it->key(), it->value());
  check(it->status(), what);
}

// Marks a cache whose tree records are sealed. A cache written before sealing has plain records and no marker: its
// records are sealed in one batch when it is opened (seal_plain_tree), and from then on a plain record is an error.
const std::string kSealedTreeMarker = "m/tree-sealed";

class Tree final : public core::TreeStore {
 public:
  Tree(rocksdb::DB& db, const MasterKey& master) : db_(db), master_(master) {}

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
    check(db_.Put(unsynced(), key, seal(master_, key, encode_node(node))), "cache: writing " + describe(key));
  }

  void erase(uint64_t ino) override {
    const std::string key = ino_key('n', ino);
    check(db_.Delete(unsynced(), key), "cache: erasing " + describe(key));
  }

  // fsync of the WAL: every put/erase before it (all in the WAL, in order) is now on disk. FlushWAL(true) is
  // SyncWAL() when manual_wal_flush is off (our options); tests/unit/cache checks the WAL-sync counter.
  void sync() override { check(db_.FlushWAL(true), "cache: syncing the write-ahead log"); }

 private:
  rocksdb::DB& db_;
  const MasterKey& master_;
};

// A cache from before tree records were sealed: every record sealed, and the marker set, in one synced batch (a
// crash leaves it all plain or all sealed). A record that does not decode is left for load() to report.
void seal_plain_tree(rocksdb::DB& db, const MasterKey& master) {
  std::string marker;
  const rocksdb::Status status = db.Get(rocksdb::ReadOptions(), kSealedTreeMarker, &marker);
  if (status.ok()) return;
  if (!status.IsNotFound()) check(status, "cache: reading " + kSealedTreeMarker);
  rocksdb::WriteBatch batch;
  scan(db, 'n', "cache: sealing the tree", [&](const rocksdb::Slice& key, const rocksdb::Slice& value) {
    if (key.size() != 10) return;
    try {
      decode_node(value.ToStringView(), describe(key));
    } catch (const Error&) {
      return;
    }
    check(batch.Put(key, seal(master, key.ToStringView(), value.ToStringView())), "cache: sealing the tree");
  });
  check(batch.Put(kSealedTreeMarker, "1"), "cache: sealing the tree");
  check(db.Write(synced(), &batch), "cache: sealing the tree");
}

class Keys final : public core::KeyStore {
 public:
  Keys(rocksdb::DB& db, const MasterKey& master) : db_(db), master_(master) {}

  void put(const std::string& dataset_address, const std::string& key_base64) override {
    const std::string key = address_key(dataset_address);
    check(db_.Put(synced(), key, seal(master_, key, key_base64)), "cache: writing " + key);
  }

  std::optional<std::string> get(const std::string& dataset_address) override {
    const std::string key = address_key(dataset_address);
    std::string value;
    const rocksdb::Status status = db_.Get(rocksdb::ReadOptions(), key, &value);
    if (status.IsNotFound()) return std::nullopt;
    check(status, "cache: reading " + key);
    return unseal(master_, key, value, key);
  }

 private:
  rocksdb::DB& db_;
  const MasterKey& master_;
};

class Journal final : public core::PublishJournal {
 public:
  Journal(rocksdb::DB& db, const MasterKey& master) : db_(db), master_(master) {}

  void put(uint64_t data_ino, const std::string& entry) override {
    const std::string key = ino_key('j', data_ino);
    check(db_.Put(synced(), key, seal(master_, key, entry)), "cache: writing " + describe(key));
  }

  void erase(uint64_t data_ino) override {
    const std::string key = ino_key('j', data_ino);
    check(db_.Delete(synced(), key), "cache: erasing " + describe(key));
  }

  std::optional<std::string> get(uint64_t data_ino) override {
    const std::string key = ino_key('j', data_ino);
    std::string value;
    const rocksdb::Status status = db_.Get(rocksdb::ReadOptions(), key, &value);
    if (status.IsNotFound()) return std::nullopt;
    check(status, "cache: reading " + describe(key));
    return unseal(master_, key, value, describe(key));
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
  rocksdb::DB& db_;
  const MasterKey& master_;
};

}  // namespace

struct MetadataDb::Impl {
  std::string dir;
  MasterKey master;
  std::unique_ptr<rocksdb::DB> db;
  std::unique_ptr<Tree> tree;
  std::unique_ptr<Keys> keys;
  std::unique_ptr<Journal> journal;

  ~Impl() {
    // Unsynced tree writes are already in the kernel's page cache; fsync them so a clean unmount followed by a
    // power loss keeps them too. Errors can't be reported from here and the data is still in the WAL file.
    if (db) {
      (void)db->FlushWAL(true);
      (void)db->Close();
    }
    sodium_memzero(master.data(), master.size());
  }
};

MetadataDb::MetadataDb(const std::string& dir, const MasterKey& master_key) : impl_(std::make_unique<Impl>()) {
  if (sodium_init() < 0) throw Error(EIO, "libsodium failed to initialise");
  impl_->dir = dir;
  impl_->master = master_key;
  create_private_directories(dir);  // 0700 whatever the umask: it holds the tree and the sealed keys
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(metadata_db_options(), dir, &db);
  if (is_lock_conflict(status)) throw Error(EBUSY, "cache " + dir + " is in use by another protectedfs");
  check(status, "cannot open cache " + dir);
  impl_->db.reset(db);
  seal_plain_tree(*db, impl_->master);
  impl_->tree = std::make_unique<Tree>(*db, impl_->master);
  impl_->keys = std::make_unique<Keys>(*db, impl_->master);
  impl_->journal = std::make_unique<Journal>(*db, impl_->master);
}

MetadataDb::~MetadataDb() = default;

core::TreeStore& MetadataDb::tree() { return *impl_->tree; }
core::KeyStore& MetadataDb::keys() { return *impl_->keys; }
core::PublishJournal& MetadataDb::journal() { return *impl_->journal; }
const std::string& MetadataDb::dir() const { return impl_->dir; }

}  // namespace pfs::cache
