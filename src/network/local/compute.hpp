// Computing on the local network: iApps (app_store.hpp), accounts funded by a faucet, and runs. A run is checked in
// full before it is paid (dataset, app, matching grant, balance, key, checksum, result folder), then paid and
// counted in one step under the write lock (one task file: the grant is re-selected and the balance re-read there,
// so two runs racing for the last access cannot both win), then executed by the local worker (iapp_runner.hpp).
#pragma once
#include <memory>

#include "network/local/app_store.hpp"
#include "network/local/directory.hpp"
#include "network/local/ledger.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

class LocalCompute final : public Compute {
 public:
  LocalCompute(std::shared_ptr<Directory> dir, std::shared_ptr<Ledger> ledger)
      : dir_(dir), ledger_(std::move(ledger)), apps_(std::move(dir)) {}

  AppRecord register_app(const crypto::PrivateKey& owner, const std::filesystem::path& executable,
                         const std::string& name) override;
  std::optional<AppRecord> find_app(const crypto::Address& app) override;
  uint64_t balance(const crypto::Address& account) override;
  // EINVAL for 0 nRLC or the zero address; EOVERFLOW if the balance would pass 2^64 - 1 nRLC.
  void fund(const crypto::Address& account, uint64_t amount) override;
  RunResult run(const crypto::PrivateKey& requester, const RunRequest& request) override;
  BulkRunResult run_bulk(const crypto::PrivateKey& requester, const BulkRunRequest& request) override;
  Bytes result(const std::string& task) override;

 private:
  std::shared_ptr<Directory> dir_;
  std::shared_ptr<Ledger> ledger_;
  AppStore apps_;
};

}  // namespace pfs::network::local
