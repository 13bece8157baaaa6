// The DatasetRegistry + DataProtector stand-in: dataset records in registry/, one file each, written whole under
// the write lock and read without it (a record appears atomically, so readers never see half of one).
#pragma once
#include <sys/types.h>

#include <map>
#include <optional>
#include <memory>
#include <mutex>
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
  std::vector<DatasetRecord> list_by_owner(const crypto::Address& owner) override;
  std::vector<DatasetRecord> find_by_schema(const std::vector<std::string>& required,
                                            const std::optional<crypto::Address>& owner) override;
  void transfer(const crypto::PrivateKey& owner, const crypto::Address& dataset,
                const crypto::Address& new_owner) override;

 private:
  struct Cached {
    ino_t inode = 0;  // a rewritten file is a new inode: the cached copy is then stale
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
