#include "network/local/compute.hpp"

#include <sys/stat.h>

#include <cctype>

#include "network/local/address.hpp"
#include "network/local/content_store.hpp"
#include "network/local/iapp_runner.hpp"
#include "network/local/order_matching.hpp"
#include "network/local/record.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/paths.hpp"

namespace pfs::network::local {
namespace {

DatasetRecord registered(const Directory& dir, const crypto::Address& dataset) {
  auto stored = load_record(dir.registry(), dataset);
  if (!stored) throw Error(ENOENT, "dataset " + dataset.to_string() + " is not registered on the local network");
  return stored->record;
}

std::string nrlc(uint64_t amount) { return std::to_string(amount) + " nRLC"; }

// The grant a run would consume now, refused if the requester cannot pay it (EDQUOT).
Ledger::Order payable_order(Ledger& ledger, const crypto::Address& owner, const MatchRequest& match) {
  Ledger::Order order = select_order(ledger.orders(), owner, match);
  const uint64_t price = price_of(order);
  const uint64_t balance = ledger.balance(match.requester);
  if (price > balance)
    throw Error(EDQUOT, "the grant costs " + nrlc(price) + " per access and the balance of " +
                            match.requester.to_string() + " is " + nrlc(balance) +
                            " (the local faucet funds a wallet for trials)");
  return order;
}

// The dataset's plaintext as the pre-compute gets it: the key from the secret store, the content from the local
// storage, checked against the registered checksum.
std::shared_ptr<const RandomAccessSource> dataset_plaintext(const std::shared_ptr<Directory>& dir,
                                                            const DatasetRecord& dataset) {
  auto secret = LocalSecretStore(dir).read_for_enclave(dataset.address);
  if (!secret)
    throw Error(ENOKEY, "dataset " + dataset.address.to_string() +
                            " has no key in the secret store (its owner has "
                            "not pushed it yet)");
  crypto::AesKey key;
  try {
    key = crypto::aes_key_from_base64(*secret);
  } catch (const Error&) {
    throw Error(EBADMSG, "the secret of dataset " + dataset.address.to_string() + " is not a base64 AES-256 key");
  }
  format::DatasetLocation location;
  try {
    location = format::decode_dataset_multiaddr(dataset.multiaddr);
  } catch (const Error&) {
    throw Error(EBADMSG, "dataset " + dataset.address.to_string() + " has a malformed multiaddr");
  }
  if (location.kind != format::DatasetLocation::Kind::Ipfs)
    throw Error(ENOTSUP, "dataset " + dataset.address.to_string() + " is stored at " + location.text +
                             "; the local worker reads only content stored on the local network");
  const std::string cid = location.text.substr(location.text.rfind('/') + 1);
  auto plaintext = open_plaintext(LocalContentStore(dir).open(cid), dataset.checksum, key);
  wipe(key);
  return plaintext;
}

// The requester's result-encryption key, as the post-compute gets it from the SMS: ENOKEY if none was pushed.
std::string result_key_of(const std::shared_ptr<Directory>& dir, const crypto::Address& requester) {
  auto key = LocalSecretStore(dir).read_result_key(requester);
  if (!key)
    throw Error(ENOKEY, "no result-encryption key was pushed for " + requester.to_string() +
                            " (run --encrypt-result pushes the wallet's)");
  return *key;
}

std::filesystem::path result_file(const Directory& dir, const std::string& task) {
  return dir.results() / (task + ".zip");
}

// A bulk order as PoCo's bulk processing takes it, against the book now: EACCES naming its dataset otherwise.
void check_bulk_order(Ledger& ledger, const Directory& dir, const SignedOrder& wanted, const crypto::Address& app,
                      const crypto::Address& requester) {
  const crypto::DatasetOrder& o = wanted.order;
  const std::string which = "the bulk grant of dataset " + o.dataset.to_string();
  const auto known = ledger.order(wanted.hash);
  if (!known || known->signed_order.order.hash(local_order_domain()) != wanted.hash)
    throw Error(EACCES, which + " is not in the grant book");
  const DatasetRecord dataset = registered(dir, o.dataset);
  if (!is_open(*known, dataset.owner)) throw Error(EACCES, which + " is revoked or signed by a previous owner");
  if (!is_bulk_order(o)) throw Error(EACCES, which + " is not a bulk grant (price 0, count unlimited)");
  if (o.apprestrict != app) throw Error(EACCES, which + " is for another app");
  if (!o.requesterrestrict.is_zero() && o.requesterrestrict != requester)
    throw Error(EACCES, which + " is for another requester");
  if (!o.workerpoolrestrict.is_zero()) throw Error(EACCES, which + " is restricted to a workerpool");
}

// The folder that receives one result folder per task: created if absent (its parent must exist).
void prepare_bulk_out(const std::filesystem::path& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(out, ec)) return;
  if (std::filesystem::exists(std::filesystem::symlink_status(out, ec)))
    throw Error(EEXIST, out.string() + " exists and is not a folder");
  check_result_target(out);
  if (::mkdir(out.c_str(), 0755) != 0 && errno != EEXIST) throw_system_error("cannot create " + out.string());
}

// The host's state an app must not reach (the sandbox does not show it): named when an app looks it up.
std::vector<HiddenPath> hidden_paths(const Directory& dir) {
  return {{std::filesystem::absolute(user_data_directory()).lexically_normal(), "the host's protectedfs state"},
          {std::filesystem::absolute(dir.root()).lexically_normal(), "the local network's folder"}};
}

}  // namespace

AppRecord LocalCompute::register_app(const crypto::PrivateKey& owner, const std::filesystem::path& executable,
                                     const std::string& name) {
  return apps_.register_app(owner, executable, name);
}

std::optional<AppRecord> LocalCompute::find_app(const crypto::Address& app) { return apps_.find(app); }

uint64_t LocalCompute::balance(const crypto::Address& account) { return ledger_->balance(account); }

void LocalCompute::fund(const crypto::Address& account, uint64_t amount) {
  if (amount == 0) throw Error(EINVAL, "the faucet gives at least 1 nRLC");
  if (account.is_zero()) throw Error(EINVAL, "the zero address cannot be funded");
  Directory::WriteGuard guard(*dir_);
  const uint64_t now = ledger_->balance(account);
  if (amount > UINT64_MAX - now)
    throw Error(EOVERFLOW, "the balance of " + account.to_string() + " would pass " + nrlc(UINT64_MAX));
  ledger_->write_deposit(account, amount);
}

RunResult LocalCompute::run(const crypto::PrivateKey& requester_key, const RunRequest& request) {
  if (request.out.empty()) throw Error(EINVAL, "no folder given for the result");
  const auto args = split_args(request.args);
  const MatchRequest match{request.dataset, request.app, requester_key.address(), request.max_price};

  // Everything that can refuse the run is checked before it is paid for.
  check_result_target(request.out);
  const DatasetRecord dataset = registered(*dir_, request.dataset);
  const auto app = apps_.find(request.app);
  if (!app) throw Error(ENOENT, "app " + request.app.to_string() + " is not registered on the local network");
  payable_order(*ledger_, dataset.owner, match);  // fails fast; decided again below, under the lock
  const auto executable = apps_.verified_executable(*app);
  auto plaintext = dataset_plaintext(dir_, dataset);
  std::optional<std::string> result_key;
  if (request.encrypt_result) result_key = result_key_of(dir_, match.requester);

  TaskFile task;
  {
    Directory::WriteGuard guard(*dir_);
    // Under the lock nothing changes between the check and the payment: the owner (a transfer), the grants (a
    // revocation, another run taking the last access) and the balance are read again.
    const DatasetRecord now = registered(*dir_, request.dataset);
    const Ledger::Order order = payable_order(*ledger_, now.owner, match);
    const uint64_t price = price_of(order);
    if (price > UINT64_MAX - ledger_->balance(now.owner))
      throw Error(EOVERFLOW, "the balance of " + now.owner.to_string() + " cannot receive " + nrlc(price));
    task.order_hash = order.signed_order.hash;
    task.index = order.uses;
    task.deal = deal_id(task.order_hash, task.index);
    task.task = task_id(task.deal);
    task.dataset = request.dataset;
    task.app = request.app;
    task.requester = match.requester;
    task.beneficiary = now.owner;
    task.price = price;
    task.created = unix_seconds();
    ledger_->write_task(task);
  }

  const std::string task_text = to_hex0x(task.task);
  IappTask iapp{executable, args, request.args, request.dataset, std::move(plaintext), task_text, request.out};
  iapp.result_public_key = std::move(result_key);
  iapp.result_file = result_file(*dir_, task_text);
  iapp.read_only = request.read_only;
  iapp.limits = request.limits;
  iapp.hidden = hidden_paths(*dir_);
  run_iapp(iapp);
  return {task.order_hash, task_text, task.price};
}

BulkRunResult LocalCompute::run_bulk(const crypto::PrivateKey& requester_key, const BulkRunRequest& request) {
  if (request.orders.empty()) throw Error(EINVAL, "a bulk request needs at least one bulk grant");
  const auto slices = slice_bulk_orders(request.orders, request.max_per_task);
  const auto args = split_args(request.args);
  const crypto::Address requester = requester_key.address();
  if (!request.encrypt_result) {
    if (request.out.empty()) throw Error(EINVAL, "no folder given for the results");
    prepare_bulk_out(request.out);
  }
  const auto app = apps_.find(request.app);
  if (!app) throw Error(ENOENT, "app " + request.app.to_string() + " is not registered on the local network");
  std::optional<std::string> result_key;
  if (request.encrypt_result) result_key = result_key_of(dir_, requester);
  // Everything is checked and every dataset opened (checksum, key) before the deal is made.
  std::vector<BulkDataset> inputs;
  for (const SignedOrder& order : request.orders) {
    check_bulk_order(*ledger_, *dir_, order, request.app, requester);
    inputs.push_back({order.order.dataset, dataset_plaintext(dir_, registered(*dir_, order.order.dataset))});
  }
  const auto executable = apps_.verified_executable(*app);

  BulkRunResult outcome;
  std::vector<TaskFile> tasks;
  {
    Directory::WriteGuard guard(*dir_);
    std::vector<Hash32> hashes;
    for (const SignedOrder& order : request.orders) {
      check_bulk_order(*ledger_, *dir_, order, request.app, requester);  // nothing changed since: revocations
      hashes.push_back(order.hash);
    }
    const Hash32 deal = bulk_deal_id(requester, request.app, hashes, random_array<32>());
    outcome.deal = to_hex0x(deal);
    for (std::size_t i = 0; i < slices.size(); ++i) {
      const Hash32 task = task_id(deal, i);
      BulkTask& bulk_task = outcome.tasks.emplace_back();
      bulk_task.task = to_hex0x(task);
      for (const SignedOrder& order : slices[i]) {
        // One record per dataset processed: a use of its bulk order in its owner's usage, free, never consumed.
        TaskFile record;
        record.task = task;
        record.deal = deal;
        record.order_hash = order.hash;
        record.index = ledger_->order(order.hash)->uses;
        record.dataset = order.order.dataset;
        record.app = request.app;
        record.requester = requester;
        record.beneficiary = registered(*dir_, order.order.dataset).owner;
        record.created = unix_seconds();
        record.bulk = true;
        ledger_->write_task(record);
        bulk_task.datasets.push_back(order.order.dataset);
      }
    }
  }

  std::size_t at = 0;
  for (BulkTask& bulk_task : outcome.tasks) {
    IappTask iapp{executable, args, request.args, {}, nullptr, bulk_task.task, request.out / bulk_task.task};
    iapp.bulk.assign(inputs.begin() + static_cast<std::ptrdiff_t>(at),
                     inputs.begin() + static_cast<std::ptrdiff_t>(at + bulk_task.datasets.size()));
    at += bulk_task.datasets.size();
    iapp.result_public_key = result_key;
    iapp.result_file = result_file(*dir_, bulk_task.task);
    iapp.read_only = request.read_only;
    iapp.limits = request.limits;
    iapp.hidden = hidden_paths(*dir_);
    try {
      run_iapp(iapp);
    } catch (const Error& e) {
      bulk_task.error = e.what();
    }
  }
  return outcome;
}

Bytes LocalCompute::result(const std::string& task) {
  std::string name = task;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name.size() != 66 || !name.starts_with("0x") ||
      name.find_first_not_of("0123456789abcdef", 2) != std::string::npos)
    throw Error(EINVAL, "a task id is 0x and 64 hex digits, not '" + task + "'");
  auto content = read_whole_file(result_file(*dir_, name));
  if (!content) throw Error(ENOENT, "no result for task " + name + " on the local network (unknown or failed task)");
  return Bytes(content->begin(), content->end());
}

}  // namespace pfs::network::local
