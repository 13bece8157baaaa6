#include "network/local/ledger.hpp"

#include <algorithm>

#include "network/local/files.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

constexpr std::string_view kPublished = ".json";
constexpr std::string_view kClosed = ".closed";
constexpr std::string_view kTask = ".json";
constexpr std::string_view kDeposit = ".json";

std::optional<std::string> read_if_present(const std::filesystem::path& path) {
  // A name listed a moment ago is there for good (nothing here is ever removed but temporaries, which are skipped).
  return read_whole_file(path);
}

}  // namespace

OrderState Ledger::Order::state() const {
  OrderState out;
  out.order = signed_order;
  out.closed = closed;
  out.uses = uses;
  const crypto::Uint256& volume = signed_order.order.volume;
  const uint64_t v = volume.fits_uint64() ? volume.to_uint64() : UINT64_MAX;
  // hub.viewConsumed: the accesses used by matched deals (not by bulk tasks), or the whole volume once closed.
  out.consumed = closed ? v : std::min(uses - bulk_uses, v);
  return out;
}

std::optional<Ledger::Order> Ledger::make_order(const OrderFile& file) const {
  // A file whose hash is not its order's (damaged from outside) is left out, like a damaged record.
  if (file.order.order.hash(local_order_domain()) != file.order.hash) return std::nullopt;
  Order order;
  order.signed_order = file.order;
  order.sequence = file.sequence;
  try {
    order.signer = crypto::recover_address(file.order.hash, file.order.signature);
  } catch (const Error&) {
    order.signer = std::nullopt;  // it can never match
  }
  return order;
}

void Ledger::refresh() {
  // Orders first: a task names an order that was there before it.
  for (const auto& name : list_directory(dir_->grants())) {
    if (seen_.contains(name)) continue;
    const bool published = parse_hash_file_name(name, kPublished).has_value();
    const bool closed = parse_hash_file_name(name, kClosed).has_value();
    if (!published && !closed) continue;  // temporaries and strays
    auto text = read_if_present(dir_->grants() / name);
    auto file = text ? decode_order_file(*text) : std::nullopt;
    auto order = file ? make_order(*file) : std::nullopt;
    if (!order || hash_file_name(order->signed_order.hash, published ? kPublished : kClosed) != name) continue;
    seen_.insert(name);
    auto [it, inserted] = orders_.try_emplace(order->signed_order.hash, *order);
    if (published && !inserted) {
      // The close was seen first; the publication gives the order its place in the book.
      it->second.sequence = order->sequence;
      it->second.signer = order->signer;
      it->second.signed_order = order->signed_order;
    }
    if (closed) it->second.closed = true;
  }
  for (const auto& name : list_directory(dir_->tasks())) {
    if (seen_.contains(name) || !parse_hash_file_name(name, kTask)) continue;
    auto text = read_if_present(dir_->tasks() / name);
    auto task = text ? decode_task_file(*text) : std::nullopt;
    if (!task || hash_file_name(task->file_hash(), kTask) != name) continue;
    seen_.insert(name);
    ++uses_[task->order_hash];
    if (task->bulk) ++bulk_uses_[task->order_hash];
    accounts_[task->requester].paid = accounts_[task->requester].paid + task->price;
    accounts_[task->beneficiary].earned = accounts_[task->beneficiary].earned + task->price;
  }
}

void Ledger::refresh_deposits(const crypto::Address& account) {
  const auto dir = dir_->accounts() / account.to_lowercase();
  std::vector<std::string> names;
  try {
    names = list_directory(dir);
  } catch (const Error& e) {
    if (e.code() == ENOENT) return;  // never funded
    throw;
  }
  auto& totals = accounts_[account];
  for (const auto& name : names) {
    if (totals.deposit_files.contains(name) || !parse_hash_file_name(name, kDeposit)) continue;
    auto text = read_if_present(dir / name);
    auto deposit = text ? decode_deposit_file(*text) : std::nullopt;
    if (!deposit || deposit->account != account) continue;
    totals.deposit_files.insert(name);
    totals.deposits = totals.deposits + deposit->amount;
  }
}

std::vector<Ledger::Order> Ledger::orders() {
  MutexLock lock(mutex_);
  refresh();
  std::vector<Order> out;
  out.reserve(orders_.size());
  for (const auto& [hash, order] : orders_) {
    out.push_back(order);
    if (auto it = uses_.find(hash); it != uses_.end()) out.back().uses = it->second;
    if (auto it = bulk_uses_.find(hash); it != bulk_uses_.end()) out.back().bulk_uses = it->second;
  }
  std::sort(out.begin(), out.end(), [](const Order& a, const Order& b) {
    if (a.sequence != b.sequence) return a.sequence < b.sequence;
    return a.signed_order.hash < b.signed_order.hash;
  });
  return out;
}

std::optional<Ledger::Order> Ledger::order(const Hash32& hash) {
  MutexLock lock(mutex_);
  refresh();
  auto it = orders_.find(hash);
  if (it == orders_.end()) return std::nullopt;
  Order out = it->second;
  if (auto used = uses_.find(hash); used != uses_.end()) out.uses = used->second;
  if (auto used = bulk_uses_.find(hash); used != bulk_uses_.end()) out.bulk_uses = used->second;
  return out;
}

uint64_t Ledger::balance(const crypto::Address& account) {
  MutexLock lock(mutex_);
  refresh();
  refresh_deposits(account);
  const auto& totals = accounts_[account];
  const crypto::Uint256 in = totals.deposits + totals.earned;
  // Every payment was checked against the balance under the write lock, so this holds unless files were edited.
  if (in < totals.paid)
    throw Error(EIO, "the local accounts of " + account.to_string() + " are damaged (more paid than received)");
  const crypto::Uint256 balance = in - totals.paid;
  return balance.fits_uint64() ? balance.to_uint64() : UINT64_MAX;
}

uint64_t Ledger::next_sequence() const {
  uint64_t max = 0;
  for (const auto& [hash, order] : orders_) max = std::max(max, order.sequence);
  return max + 1;
}

void Ledger::write_published(const SignedOrder& order) {
  MutexLock lock(mutex_);
  refresh();  // under the write lock: every order ever written, so the sequence is unique
  const OrderFile file{order, next_sequence(), unix_seconds(), std::nullopt};
  create_file_atomically(dir_->grants(), hash_file_name(order.hash, kPublished), as_bytes(encode_order_file(file)),
                         0644);
}

void Ledger::write_closed(const SignedOrder& order, const crypto::Address& by) {
  MutexLock lock(mutex_);
  refresh();
  if (auto it = orders_.find(order.hash); it != orders_.end() && it->second.closed) return;
  const OrderFile file{order, next_sequence(), unix_seconds(), by};
  create_file_atomically(dir_->grants(), hash_file_name(order.hash, kClosed), as_bytes(encode_order_file(file)), 0644);
}

void Ledger::write_task(const TaskFile& task) {
  MutexLock lock(mutex_);
  create_file_atomically(dir_->tasks(), hash_file_name(task.file_hash(), kTask), as_bytes(encode_task_file(task)),
                         0644);
}

void Ledger::write_deposit(const crypto::Address& account, uint64_t amount) {
  MutexLock lock(mutex_);
  const auto dir = dir_->accounts() / account.to_lowercase();
  ensure_directory(dir, 0755);
  const DepositFile deposit{account, amount, unix_seconds()};
  create_file_atomically(dir, hash_file_name(random_array<32>(), kDeposit), as_bytes(encode_deposit_file(deposit)),
                         0644);
}

}  // namespace pfs::network::local
