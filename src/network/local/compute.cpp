#include "network/local/compute.hpp"

#include "network/local/address.hpp"
#include "network/local/content_store.hpp"
#include "network/local/iapp_runner.hpp"
#include "network/local/order_matching.hpp"
#include "network/local/record.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/error.hpp"

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
  run_iapp({executable, args, request.args, request.dataset, std::move(plaintext), task_text, request.out,
            request.read_only, request.limits});
  return {task.order_hash, task_text, task.price};
}

}  // namespace pfs::network::local
