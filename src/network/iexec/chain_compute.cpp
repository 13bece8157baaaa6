#include "network/iexec/chain_compute.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "network/iexec/contracts.hpp"
#include "network/iexec/ipfs_store.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/network/bulk_slices.hpp"
#include "protectedfs/network/task_result.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network::iexec {
namespace {

namespace abi = crypto::abi;
using crypto::Address;
using crypto::Uint256;

uint64_t to_u64(const Uint256& value) { return value.fits_uint64() ? value.to_uint64() : UINT64_MAX; }

bool allows(const Address& restriction, const Address& who) { return restriction.is_zero() || restriction == who; }

// Every bit the request needs is offered (PoCo: tag & ~workerpoolorder.tag == 0).
bool covers(const Hash32& offered, const Hash32& needed) {
  for (std::size_t i = 0; i < offered.size(); ++i)
    if ((needed[i] & ~offered[i]) != 0) return false;
  return true;
}

Bytes signature_of(const MarketOrder& entry, const char* what) {
  try {
    return from_hex(entry.order.at("sign").get<std::string>());
  } catch (const std::exception& e) {
    throw Error(EIO, std::string("market: malformed ") + what + ": " + e.what());
  }
}

}  // namespace

AppRecord ChainCompute::register_app(const crypto::PrivateKey&, const std::filesystem::path&, const std::string&) {
  throw Error(ENOTSUP, "apps are deployed on iExec with iExec's own tools (iexec app deploy), not by protectedfs");
}

void ChainCompute::fund(const Address&, uint64_t) {
  throw Error(ENOTSUP, "accounts on iExec are funded by depositing RLC (iexec account deposit), not by protectedfs");
}

bool ChainCompute::registered(const Address& registry, const Address& entry) {
  const Bytes answer = context_->chain().call(registry, contracts::is_registered(entry));
  return abi::Decoder(answer).boolean(0);
}

std::optional<AppRecord> ChainCompute::find_app(const Address& app) {
  if (!registered(context_->app_registry(), app)) return std::nullopt;
  const auto answers = context_->chain().call_batch(
      {{app, contracts::app_name()}, {app, contracts::app_checksum()}, {app, contracts::owner()}});
  AppRecord out;
  out.address = app;
  out.name = abi::decode_string(answers[0].value());
  out.checksum = abi::decode_bytes32(answers[1].value());
  out.owner = abi::decode_address(answers[2].value());
  return out;
}

uint64_t ChainCompute::balance(const Address& account) {
  const Uint256 stake = contracts::decode_account_stake(
      context_->chain().call(context_->profile().hub, contracts::view_account(account)));
  return to_u64(stake);
}

SignedOrder ChainCompute::pick_grant(const Address& requester, const RunRequest& request) {
  MarketGrantBook book(context_, market_);
  std::optional<OrderState> best;
  for (auto& state : book.still_open(request.dataset, market_->dataset_orders(request.dataset))) {
    const crypto::DatasetOrder& o = state.order.order;
    if (!allows(o.apprestrict, request.app) || !allows(o.requesterrestrict, requester)) continue;
    if (context_->profile().workerpool && !allows(o.workerpoolrestrict, *context_->profile().workerpool)) continue;
    if (request.max_price && o.datasetprice > Uint256(*request.max_price)) continue;
    if (!best || o.datasetprice < best->order.order.datasetprice) best = std::move(state);  // cheapest, then oldest
  }
  if (!best)
    throw Error(EACCES, requester.to_string() + " holds no open grant on " + request.dataset.to_string() + " for app " +
                            request.app.to_string());
  return best->order;
}

SignedAppOrder ChainCompute::pick_app_order(const Address& requester, const RunRequest& request) {
  for (const auto& e : market_->app_orders(request.app)) {
    if (e.status != "open") continue;
    SignedAppOrder order{AppOrder::from_json(e.order), signature_of(e, "app order"), e.order_hash};
    if (order.order.app == request.app && allows(order.order.datasetrestrict, request.dataset) &&
        allows(order.order.requesterrestrict, requester))
      return order;  // the market sorts by price
  }
  throw Error(ENOENT, "no app order published for app " + request.app.to_string());
}

SignedWorkerpoolOrder ChainCompute::pick_workerpool_order(const Address& requester, const RunRequest& request,
                                                          const Hash32& tag) {
  for (const auto& e : market_->workerpool_orders(context_->profile().workerpool)) {
    if (e.status != "open") continue;
    SignedWorkerpoolOrder order{WorkerpoolOrder::from_json(e.order), signature_of(e, "workerpool order"), e.order_hash};
    const WorkerpoolOrder& w = order.order;
    if (allows(w.apprestrict, request.app) && allows(w.datasetrestrict, request.dataset) &&
        allows(w.requesterrestrict, requester) && covers(w.tag, tag))
      return order;
  }
  throw Error(ENOENT,
              "no workerpool order offers to run app " + request.app.to_string() + " with tag " + to_hex0x(tag));
}

Hash32 ChainCompute::match(const crypto::PrivateKey& requester, const SignedAppOrder& app, const SignedOrder& dataset,
                           const SignedWorkerpoolOrder& workerpool, const SignedRequestOrder& request) {
  Receipt receipt;
  try {
    receipt = context_->sender().send(requester, context_->profile().hub,
                                      contracts::match_orders(app, dataset, workerpool, request));
  } catch (const RpcError& e) {
    if (!e.is_revert()) throw;
    throw Error(EACCES, "the hub refused the match (the grant may be closed or used up): " + e.reason());
  }
  for (const auto& log : receipt.logs)
    if (log.address == context_->profile().hub && !log.topics.empty() &&
        log.topics[0] == contracts::orders_matched_topic() && log.data.size() >= 32)
      return abi::Decoder(log.data).bytes32(0);
  throw Error(EIO, "matchOrders " + to_hex0x(receipt.transaction_hash) + " emitted no OrdersMatched event");
}

Bytes ChainCompute::download_result(const std::string& task, const contracts::TaskView& view) {
  if (view.status != contracts::TaskStatus::completed) {
    // The SDK's show(): a task not completed by its final deadline is TIMEOUT (it can only be claimed).
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    const bool timed_out = view.final_deadline != 0 && static_cast<uint64_t>(now.count()) >= view.final_deadline;
    const std::string status = timed_out ? "TIMEOUT" : contracts::task_status_name(view.status);
    if (!timed_out && (view.status == contracts::TaskStatus::active || view.status == contracts::TaskStatus::revealing))
      throw Error(EAGAIN, "task " + task + " is not completed yet: it is " + status + " on chain");
    throw Error(ENOENT, "task " + task + " has no result: it is " + status + " on chain" +
                            (view.status == contracts::TaskStatus::unset
                                 ? " (no such task, or its workerpool has not started it yet)"
                                 : ""));
  }
  // The SDK's decodeTaskResult + fetchTaskResults: results is UTF-8 JSON {"storage","location"}; only "ipfs" is
  // downloadable, from the gateway at `location`.
  auto json = nlohmann::json::parse(view.results.begin(), view.results.end(), nullptr, false);
  const std::string storage = json.is_object() && json.value("storage", nlohmann::json()).is_string()
                                  ? json["storage"].get<std::string>()
                                  : "none";
  if (storage == "none") throw Error(ENOENT, "task " + task + " uploaded no result");
  if (storage != "ipfs") throw Error(ENOTSUP, "the result of task " + task + " is stored on " + storage + ", not IPFS");
  if (!json.contains("location") || !json["location"].is_string())
    throw Error(EIO, "the result of task " + task + " has no location");
  try {
    return gateway_download(*context_, json["location"].get<std::string>());
  } catch (const Error& e) {
    if (e.code() != EINVAL) throw;
    throw Error(EIO, "the result of task " + task + " is at an unreadable location: " + e.what());
  }
}

Bytes ChainCompute::result(const std::string& task) {
  Hash32 id{};
  try {
    if (!task.starts_with("0x")) throw Error(EINVAL, "no 0x");
    id = from_hex_fixed<32>(task);
  } catch (const std::exception&) {
    throw Error(EINVAL, "a task id is 0x and 64 hex digits, not '" + task + "'");
  }
  const auto view = contracts::decode_task(context_->chain().call(context_->profile().hub, contracts::view_task(id)));
  return download_result(to_hex0x(id), view);
}

RunResult ChainCompute::run(const crypto::PrivateKey& requester_key, const RunRequest& request) {
  const Address requester = requester_key.address();
  std::error_code ec;
  if (std::filesystem::exists(request.out, ec) &&
      (!std::filesystem::is_directory(request.out, ec) || !std::filesystem::is_empty(request.out, ec)))
    throw Error(EEXIST, request.out.string() + " exists and is not an empty folder");
  if (!registered(context_->dataset_registry(), request.dataset))
    throw Error(ENOENT, "no dataset " + request.dataset.to_string());
  if (!registered(context_->app_registry(), request.app)) throw Error(ENOENT, "no app " + request.app.to_string());

  const SignedOrder grant = pick_grant(requester, request);
  const SignedAppOrder app = pick_app_order(requester, request);
  const Hash32 tag = tag_union(grant.order.tag, app.order.tag);
  const SignedWorkerpoolOrder workerpool = pick_workerpool_order(requester, request, tag);

  const Uint256 total = app.order.appprice + grant.order.datasetprice + workerpool.order.workerpoolprice;
  const uint64_t stake = balance(requester);
  if (Uint256(stake) < total)
    throw Error(EDQUOT, "the run costs " + total.to_decimal() + " nRLC, " + requester.to_string() + " has " +
                            std::to_string(stake) + " nRLC deposited");

  SignedRequestOrder order;
  RequestOrder& r = order.order;
  r.app = request.app;
  r.appmaxprice = app.order.appprice;
  r.dataset = request.dataset;
  r.datasetmaxprice = grant.order.datasetprice;
  r.workerpool = workerpool.order.workerpool;
  r.workerpoolmaxprice = workerpool.order.workerpoolprice;
  r.requester = requester;
  r.volume = 1;
  r.tag = tag;
  r.category = workerpool.order.category;
  r.trust = 0;
  r.beneficiary = requester;
  nlohmann::json params = nlohmann::json::parse(request_params(request.args));
  if (request.encrypt_result) params["iexec_result_encryption"] = true;
  r.params = params.dump();
  r.salt = random_array<32>();
  order.sign = crypto::sign_typed_data(requester_key, context_->domain(), r);

  const Hash32 deal = match(requester_key, app, grant, workerpool, order);
  const Hash32 task = contracts::task_id(deal, 0);
  RunResult result{grant.hash, to_hex0x(task), to_u64(grant.order.datasetprice)};

  // Follow the task. task_timeout = 0 returns now (a local test chain has no worker: its tasks never start).
  const auto timeout = context_->profile().task_timeout;
  if (timeout.count() == 0) {
    result.delivered = false;
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  contracts::TaskStatus status = contracts::TaskStatus::unset;
  for (;;) {
    const auto view =
        contracts::decode_task(context_->chain().call(context_->profile().hub, contracts::view_task(task)));
    status = view.status;
    if (status == contracts::TaskStatus::completed) {
      // Encrypted: the caller fetches it with result() and opens it with the wallet's key (downloaded once, there).
      if (!request.encrypt_result) unzip_result(download_result(result.task, view), request.out);
      return result;
    }
    if (status == contracts::TaskStatus::failed)
      throw Error(EIO, "task " + result.task + " failed (the access and its price are spent)");
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::seconds(5));
  }
  throw Error(ETIMEDOUT, "task " + result.task + " is still " + contracts::task_status_name(status) + " after " +
                             std::to_string(timeout.count()) + " s; the access is spent and the task goes on");
}

namespace {

std::string upload_text(ContentStore& ipfs, const std::string& text) {
  auto upload = ipfs.begin_upload();
  upload->write(as_bytes(text));
  return upload->commit();
}

}  // namespace

BulkRunResult ChainCompute::run_bulk(const crypto::PrivateKey& requester_key, const BulkRunRequest& request) {
  if (request.orders.empty()) throw Error(EINVAL, "a bulk request needs at least one bulk grant");
  const auto slices = slice_bulk_orders(request.orders, request.max_per_task);
  const Address requester = requester_key.address();
  if (!registered(context_->app_registry(), request.app)) throw Error(ENOENT, "no app " + request.app.to_string());
  for (const SignedOrder& order : request.orders)
    if (!is_bulk_order(order.order) || order.order.apprestrict != request.app ||
        !allows(order.order.requesterrestrict, requester))
      throw Error(EACCES, "the grant " + to_hex0x(order.hash) + " of dataset " + order.order.dataset.to_string() +
                              " is not a bulk grant for this app and requester");

  RunRequest single;  // what the app and workerpool orders are picked for: no dataset, as the request says
  single.app = request.app;
  const SignedAppOrder app = pick_app_order(requester, single);
  Hash32 tag = app.order.tag;
  for (const SignedOrder& order : request.orders) tag = tag_union(tag, order.order.tag);
  const SignedWorkerpoolOrder workerpool = pick_workerpool_order(requester, single, tag);

  // prepareDatasetBulk: every slice, then the root listing them, on IPFS.
  IpfsContentStore ipfs(context_);
  std::vector<std::string> slice_cids;
  for (const auto& slice : slices) slice_cids.push_back(upload_text(ipfs, bulk_slice_json(slice)));
  const std::string root = upload_text(ipfs, bulk_root_json(slice_cids));

  SignedRequestOrder order;
  RequestOrder& r = order.order;
  r.app = request.app;
  r.appmaxprice = app.order.appprice;
  r.datasetmaxprice = 0;  // dataset 0x0: the datasets come from params.bulk_cid
  r.workerpool = workerpool.order.workerpool;
  r.workerpoolmaxprice = workerpool.order.workerpoolprice;
  r.requester = requester;
  r.volume = slices.size();
  r.tag = tag;
  r.category = workerpool.order.category;
  r.trust = 0;
  r.beneficiary = requester;
  nlohmann::json params = nlohmann::json::parse(request_params(request.args));
  params["bulk_cid"] = root;
  if (request.encrypt_result) params["iexec_result_encryption"] = true;
  r.params = params.dump();
  r.salt = random_array<32>();
  order.sign = crypto::sign_typed_data(requester_key, context_->domain(), r);

  const Uint256 total = (app.order.appprice + workerpool.order.workerpoolprice) * Uint256(slices.size());
  if (Uint256(balance(requester)) < total)
    throw Error(EDQUOT, "the bulk request costs " + total.to_decimal() + " nRLC, " + requester.to_string() + " has " +
                            std::to_string(balance(requester)) + " nRLC deposited");
  const SignedOrder no_dataset{};  // PoCo skips an empty dataset order (dataset 0x0)
  const Hash32 deal = match(requester_key, app, no_dataset, workerpool, order);

  BulkRunResult result;
  result.deal = to_hex0x(deal);
  result.delivered = false;  // the tasks are not followed here
  for (std::size_t i = 0; i < slices.size(); ++i) {
    BulkTask& task = result.tasks.emplace_back();
    task.task = to_hex0x(contracts::task_id(deal, i));
    for (const SignedOrder& o : slices[i]) task.datasets.push_back(o.order.dataset);
  }
  return result;
}

}  // namespace pfs::network::iexec
