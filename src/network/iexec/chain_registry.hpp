// Datasets on chain (PROTOCOL.md §2): registered through the DataProtector (createDatasetWithSchema, one transaction
// signed by the owner), read back from the DatasetRegistry (ownership), the Dataset contracts (name, multiaddr,
// checksum) and the DataProtector's DatasetSchema logs (schema, transaction, block time). No subgraph is needed.
//
// A retried registration never lands twice: the registry deploys datasets with CREATE2, so the address of a
// registration is known before sending it (contracts::predict_dataset); find_registration looks there, and
// register_dataset refuses (EEXIST) when something already does.
//
// What never changes about a dataset (name, multiaddr, checksum, schema, creation) is cached per handle; ownership is
// read each time.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "network/iexec/context.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::network::iexec {

class ChainRegistry final : public Registry {
 public:
  explicit ChainRegistry(std::shared_ptr<Context> context) : context_(std::move(context)) {}

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
  // The DatasetSchema log of a dataset: its schema and when and how it was registered.
  struct SchemaLog {
    std::string schema;
    uint64_t block = 0;
    uint64_t log_index = 0;
    Hash32 tx{};
    uint64_t created = 0;
  };
  // What never changes about a dataset.
  struct Facts {
    std::string name;
    Bytes multiaddr;
    Hash32 checksum{};
    std::optional<SchemaLog> schema_log;  // none for a dataset not created through the DataProtector
  };

  // The facts of these datasets, fetched in batches for those not cached yet. A dataset that the chain does not know
  // is left out of the answer.
  std::map<crypto::Address, Facts> facts(const std::vector<crypto::Address>& datasets);
  // The schema logs of these datasets (known_logs: logs already in hand, e.g. from a scan).
  std::map<crypto::Address, SchemaLog> schema_logs(const std::vector<crypto::Address>& datasets);
  std::map<crypto::Address, SchemaLog> logs_to_schema(const std::vector<LogEntry>& logs);
  // Current owners (datasets that have none are left out).
  std::map<crypto::Address, crypto::Address> owners(const std::vector<crypto::Address>& datasets);
  // The records of the datasets that have a schema log, oldest first.
  std::vector<DatasetRecord> records(const std::vector<crypto::Address>& datasets,
                                     const std::map<crypto::Address, crypto::Address>& owners);

  std::shared_ptr<Context> context_;
  Mutex mutex_;
  std::map<crypto::Address, Facts> cache_ PFS_GUARDED_BY(mutex_);
};

}  // namespace pfs::network::iexec
