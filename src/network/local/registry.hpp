// The DatasetRegistry + DataProtector stand-in: dataset records in registry/, one file each, written whole under
// the write lock and read without it (a record appears atomically, and a transfer replaces it by rename, so
// readers never see half of one).
#pragma once
#include <sys/types.h>
#include <time.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "network/local/directory.hpp"
#include "network/local/record.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

class LocalRegistry final : public Registry {
 public:
  explicit LocalRegistry(std::shared_ptr<Directory> dir) : dir_(std::move(dir)) {}

  DatasetRecord register_dataset(const crypto::PrivateKey& owner, const Registration& registration) override;
  std::optional<DatasetRecord> find(const crypto::Address& dataset) override;
  std::optional<DatasetRecord> find_registration(const crypto::Address& owner,
                                                 const Registration& registration) override;
  crypto::Address predicted_address(const crypto::Address& owner, const Registration& registration) override;
  std::vector<DatasetRecord> list_by_owner(const crypto::Address& owner) override;
  std::vector<DatasetRecord> find_by_schema(const std::vector<std::string>& required,
                                            const std::optional<crypto::Address>& owner) override;
  void transfer(const crypto::PrivateKey& owner, const crypto::Address& dataset,
                const crypto::Address& new_owner) override;

 private:
  // Which file a cached record was read from. A transfer replaces the record by rename, so the name then holds
  // another inode; the change time also tells a reused inode number apart (ext4 reuses freed inodes quickly).
  struct FileVersion {
    ino_t inode = 0;
    struct timespec changed {};
    friend bool operator==(const FileVersion& a, const FileVersion& b) {
      return a.inode == b.inode && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec;
    }
  };
  struct Cached {
    FileVersion version;
    StoredRecord stored;
    std::optional<std::vector<std::string>> searchable;  // sorted; nullopt when the schema does not parse
  };

  // Brings the cache in line with registry/ (parsing only files not seen before) and returns every record, oldest
  // first. Caller holds cache_mutex_.
  std::vector<const Cached*> scan();

  std::shared_ptr<Directory> dir_;
  std::mutex cache_mutex_;
  std::map<std::string, Cached> cache_;  // by file name
};

}  // namespace pfs::network::local
