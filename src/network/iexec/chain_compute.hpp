// Computing on iExec (PROTOCOL.md §5) as a consumer: the orders come from the market (the dataset owner's grant, an
// app order, a workerpool order), the request order is signed here, hub.matchOrders makes the deal (consuming one
// access of the grant), and the task is followed with hub.viewTask until it completes (its result is then fetched from
// IPFS and unzipped into RunRequest::out), fails, or `task_timeout` passes; result() fetches it again later. Apps are
// registered and accounts funded with iExec's own tools: register_app and fund are ENOTSUP.
#pragma once
#include <memory>

#include "network/iexec/context.hpp"
#include "network/iexec/contracts.hpp"
#include "network/iexec/market_client.hpp"
#include "network/iexec/market_grant_book.hpp"
#include "network/iexec/orders.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::iexec {

class ChainCompute final : public Compute {
 public:
  ChainCompute(std::shared_ptr<Context> context, std::shared_ptr<MarketClient> market)
      : context_(std::move(context)), market_(std::move(market)) {}

  AppRecord register_app(const crypto::PrivateKey& owner, const std::filesystem::path& executable,
                         const std::string& name) override;
  std::optional<AppRecord> find_app(const crypto::Address& app) override;
  uint64_t balance(const crypto::Address& account) override;
  void fund(const crypto::Address& account, uint64_t amount) override;
  RunResult run(const crypto::PrivateKey& requester, const RunRequest& request) override;
  // The SDK's prepareDatasetBulk + processBulkRequest: slices and root uploaded to IPFS, one request order with
  // dataset 0x0, datasetmaxprice 0, params.bulk_cid = the root's CID and volume = the number of slices, matched with
  // an empty dataset order into one deal whose task i processes slice i. With task_timeout = 0 it returns once
  // matched (a test chain has no worker); task errors are left empty then.
  BulkRunResult run_bulk(const crypto::PrivateKey& requester, const BulkRunRequest& request) override;
  // The SDK's fetchTaskResults (getResultFromCompletedTask's download): hub.viewTask, then the zip at the COMPLETED
  // task's results.location through the profile's IPFS gateway. Errors as download_result; EINVAL a malformed id.
  Bytes result(const std::string& task) override;

 private:
  bool registered(const crypto::Address& registry, const crypto::Address& entry);
  SignedOrder pick_grant(const crypto::Address& requester, const RunRequest& request);
  SignedAppOrder pick_app_order(const crypto::Address& requester, const RunRequest& request);
  SignedWorkerpoolOrder pick_workerpool_order(const crypto::Address& requester, const RunRequest& request,
                                              const Hash32& tag);
  Hash32 match(const crypto::PrivateKey& requester, const SignedAppOrder& app, const SignedOrder& dataset,
               const SignedWorkerpoolOrder& workerpool, const SignedRequestOrder& request);
  // The stored result of a task viewed on chain: EAGAIN while it runs, ENOENT when it has none (UNSET, FAILED,
  // TIMEOUT, storage "none"), ENOTSUP for storage other than IPFS.
  Bytes download_result(const std::string& task, const contracts::TaskView& view);

  std::shared_ptr<Context> context_;
  std::shared_ptr<MarketClient> market_;
};

}  // namespace pfs::network::iexec
