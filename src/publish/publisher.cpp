#include "protectedfs/publish/publisher.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "protectedfs/util/quote.hpp"
#include "publish/saga_journal.hpp"

namespace pfs::publish {
namespace {

using nlohmann::json;

}  // namespace

Publisher::Publisher(core::Filesystem& fs, core::FieldContents& contents, network::Network& network,
                     const crypto::PrivateKey& wallet, core::KeyStore& keys, core::PublishJournal& journal,
                     PublisherOptions options)
    : fs_(fs),
      contents_(contents),
      network_(network),
      wallet_(wallet),
      keys_(keys),
      journal_(std::make_unique<SagaJournal>(journal)),
      options_(options),
      grants_(fs, network, wallet) {}

Publisher::~Publisher() { stop(); }

void Publisher::start() {
  // Publishes a crash interrupted: publish() finds their journal entries and resumes them (below); removals settle
  // what their folder left (a publish under way, orders to close).
  std::map<uint64_t, PublishSaga> sagas;
  std::map<uint64_t, Removal> removals;
  journal_->load(sagas, removals);
  for (const auto& [data, removal] : removals) {
    MutexLock lock(mutex_);
    Entry& e = queue_[data];
    e.due = now();
    e.name = removal.name;
    e.removal = true;
  }
  for (const auto& [data, saga] : sagas)
    changed(data, saga.name);  // publish() resumes it from the journal, never registering twice
  // Whatever was pending when the daemon stopped or crashed (the tree keeps the status); and every folder's grants
  // are brought in line once (an order left half issued, a transfer under way).
  for (const auto& data : fs_.data_list()) {
    // Decided from the typed record: a failure of the orders alone leaves the version published.
    // A version published elsewhere whose content could not be fetched is no local change: the tree sync retries.
    const bool content = !core::shows_registered_version(data.info) &&
                         data.info.status.kind != core::DataStatus::Kind::Draft && !data.info.status.grants_failed() &&
                         data.info.transfer_to.empty();
    if (content) changed(data.ino, data.name);
    else if (!data.info.grants.empty() || !data.info.orders.empty() || !data.info.transfer_to.empty())
      grants_changed(data.ino, data.name);
  }
  MutexLock lock(mutex_);
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { run(); });
}

void Publisher::stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_)
    if (worker.joinable()) worker.join();
  workers_.clear();
}

void Publisher::changed(uint64_t data_ino, const std::string& name) {
  bool wake;
  {
    MutexLock lock(mutex_);
    auto [it, added] = queue_.try_emplace(data_ino);
    Entry& e = it->second;
    // Called on every write: the publisher thread is woken only when this can make it act sooner (a new entry, or
    // one that was not waiting for content); a later due time alone it finds when it wakes for the earlier one.
    wake = added || !e.content || e.failures != 0;
    e.name = name;
    e.due = now() + options_.delay;
    e.content = true;
    e.uploaded = false;
    ++e.generation;
    e.failures = 0;
  }
  if (wake) wake_.notify_all();
}

void Publisher::grants_changed(uint64_t data_ino, const std::string& name) {
  {
    MutexLock lock(mutex_);
    Entry& e = queue_[data_ino];
    e.name = name;
    e.grants = true;
    ++e.grant_requests;
    e.failures = 0;
    if (!e.content) e.due = now();  // a publish pending re-issues them anyway, once it is done
  }
  wake_.notify_all();
}

void Publisher::removed(uint64_t data_ino, const std::string& name, const std::vector<core::IssuedOrder>& orders) {
  std::vector<core::IssuedOrder> live;
  for (const auto& o : orders)
    if (o.state == core::IssuedOrder::State::Open || o.state == core::IssuedOrder::State::Issuing) live.push_back(o);
  const bool work_left = journal_->remove(data_ino, name, live);  // takes the pending publish in, if any
  {
    MutexLock lock(mutex_);
    queue_.erase(data_ino);  // a publish running for it finishes, journaling into the removal; the tree ignores it
    if (work_left) {
      Entry& e = queue_[data_ino];
      e.name = name;
      e.due = now();
      e.removal = true;
    }
  }
  wake_.notify_all();
}

Publisher::Clock::time_point Publisher::start_at(const Entry& entry) const {
  if (!options_.upload_after || !entry.content || entry.removal || entry.uploaded || entry.failures != 0)
    return entry.due;
  return entry.due - (options_.delay - std::min(*options_.upload_after, options_.delay));
}

std::optional<std::pair<uint64_t, Publisher::Entry>> Publisher::take_due() {
  auto next = queue_.end();
  for (auto it = queue_.begin(); it != queue_.end(); ++it)
    if (!running_.count(it->first) && (next == queue_.end() || start_at(it->second) < start_at(next->second)))
      next = it;
  if (next == queue_.end() || start_at(next->second) > now()) return std::nullopt;
  const Entry& entry = next->second;
  running_[next->first] = entry.removal ? "revoke" : entry.content ? "plan" : "grants";
  return std::make_pair(next->first, entry);
}

void Publisher::run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    if (auto taken = take_due()) {
      lock.unlock();
      process(taken->first, taken->second);
      lock.lock();
      continue;
    }
    // The earliest entry no worker has, to sleep until it is due.
    std::optional<Clock::time_point> due;
    for (const auto& [data, entry] : queue_)
      if (!running_.count(data) && (!due || start_at(entry) < *due)) due = start_at(entry);
    if (due) lock.wait_until(wake_, *due);  // a copy: the entry may be erased while this waits
    else lock.wait(wake_);
  }
}

bool Publisher::run_once() {
  std::optional<std::pair<uint64_t, Entry>> taken;
  {
    MutexLock lock(mutex_);
    taken = take_due();
  }
  if (!taken) return false;
  process(taken->first, taken->second);
  return true;
}

std::optional<std::chrono::steady_clock::time_point> Publisher::next_due() {
  MutexLock lock(mutex_);
  std::optional<Clock::time_point> due;
  for (const auto& [data, entry] : queue_)
    if (!running_.count(data) && (!due || start_at(entry) < *due)) due = start_at(entry);
  return due;
}

void Publisher::process(uint64_t data, const Entry& entry) {
  std::string failure;
  int failure_errno = 0;
  bool waiting = false;
  try {
    waiting = work(data, entry) == Advanced::Waiting;
  } catch (const Error& e) {
    failure = e.what();
    failure_errno = e.code();
  } catch (const std::exception& e) {
    failure = std::string("unexpected: ") + e.what();
    failure_errno = EIO;
  }
  MutexLock lock(mutex_);
  const std::string last_step = running_[data];
  running_.erase(data);
  wake_.notify_all();  // a worker that skipped this entry while it ran, and wait_idle, look again
  auto it = queue_.find(data);
  if (it == queue_.end()) return;
  if (it->second.removal && !entry.removal) return;  // removed while this ran: the removal is queued, untouched
  if (it->second.generation != entry.generation) {   // changed meanwhile: publish again when quiet
    lock.unlock();
    show_status(data, {.kind = core::DataStatus::Kind::Pending});
    return;
  }
  if (failure.empty()) {
    if (waiting) {  // uploaded during the quiet period: taken again when it is over, to register
      it->second.uploaded = true;
      lock.unlock();
      show_status(data, {.kind = core::DataStatus::Kind::Pending});
      return;
    }
    if (it->second.grant_requests != entry.grant_requests) {  // grants changed meanwhile: once more, at once
      it->second.content = false;
      it->second.due = now();
      return;
    }
    queue_.erase(it);
    wake_.notify_all();
    return;
  }
  spdlog::warn("{}: {} failed: {}", quote(entry.name), last_step, failure);
  // Retry with exponential backoff; the status says why and when. A version published before the failure is not
  // published again: work() cleared `content` once it was recorded, so the retry does what is left (the grants).
  const int failures = ++it->second.failures;
  const auto backoff = std::min<std::chrono::milliseconds>(
      options_.max_backoff, std::chrono::milliseconds(int64_t{1000} << std::min(failures - 1, 16)));
  it->second.due = now() + backoff;
  core::PublishFailure shown;
  shown.step = it->second.content ? last_step.substr(0, last_step.find(' ')) : "grants";
  shown.error = failure_errno;
  shown.message = failure;
  shown.attempts = failures;
  shown.retry_in = std::chrono::duration_cast<std::chrono::seconds>(backoff).count();
  shown.retry_at =
      std::chrono::duration_cast<std::chrono::seconds>((std::chrono::system_clock::now() + backoff).time_since_epoch())
          .count();
  lock.unlock();
  if (!entry.removal) show_status(data, {.kind = core::DataStatus::Kind::Failed, .failure = shown});
}

void Publisher::show_status(uint64_t data_ino, const core::DataStatus& status) {
  try {
    fs_.set_status(data_ino, status);
  } catch (const Error& e) {
    spdlog::debug("status of {} not stored: {}", data_ino, e.what());  // the cache logged why, once
  }
}

Publisher::Advanced Publisher::work(uint64_t data, const Entry& entry) {
  if (entry.removal) {
    settle_removal(data);
    return Advanced::Done;
  }
  if (entry.content) {
    if (publish(data, entry.generation, entry.due) == Advanced::Waiting) return Advanced::Waiting;
    // The version is recorded: a failure of the grants below is retried without publishing it again.
    MutexLock lock(mutex_);
    auto it = queue_.find(data);
    if (it != queue_.end() && it->second.generation == entry.generation) it->second.content = false;
  }
  grants_.reconcile(data);
  fs_.clear_failure(data, "grants");  // a grant failure shown earlier is over
  return Advanced::Done;
}

std::string Publisher::queue_json() {
  // At most kShown entries (the running one first, then by due time), with the total: an attribute value is
  // limited to 64 KiB and a copy of ten thousand folders queues ten thousand publishes.
  constexpr std::size_t kShown = 100;
  MutexLock lock(mutex_);
  struct Shown {
    const Entry* entry;
    const std::string* step;  // null unless running
  };
  std::vector<Shown> order;
  for (const auto& [data, entry] : queue_) {
    const auto r = running_.find(data);
    order.push_back({&entry, r == running_.end() ? nullptr : &r->second});
  }
  std::sort(order.begin(), order.end(), [](const Shown& a, const Shown& b) {
    if ((a.step != nullptr) != (b.step != nullptr)) return a.step != nullptr;
    return a.entry->due < b.entry->due;
  });
  json items = json::array();
  const auto now_ = now();
  for (const auto& [entry, step] : order) {
    if (items.size() == kShown) break;
    json item{{"name", entry->name}};
    if (step) {
      item["state"] = "running";
      item["step"] = *step;
    } else {
      item["state"] = entry->failures ? "retrying" : "pending";
      item["in_ms"] =
          std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(entry->due - now_).count());
    }
    items.push_back(item);
  }
  return json{{"total", queue_.size()}, {"items", items}}.dump();
}

bool Publisher::wait_idle(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  MutexLock lock(mutex_);
  while (!queue_.empty() || !running_.empty())
    if (lock.wait_until(wake_, deadline) == std::cv_status::timeout) return queue_.empty() && running_.empty();
  return true;
}

}  // namespace pfs::publish
