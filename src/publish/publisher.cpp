#include "protectedfs/publish/publisher.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/format/schema.hpp"
#include "protectedfs/pipeline/leaf_plan.hpp"
#include "protectedfs/pipeline/protect.hpp"
#include "protectedfs/remote/dataset_info.hpp"

namespace pfs::publish {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// A staged field as the pipeline reads it.
class FieldSource final : public RandomAccessSource {
 public:
  FieldSource(core::FieldContents& contents, uint64_t ino, uint64_t size)
      : contents_(contents), ino_(ino), size_(size) {}
  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    if (contents_.read(ino_, offset, out) != out.size()) throw Error(EBUSY, "field shrank while it was published");
  }

 private:
  core::FieldContents& contents_;
  uint64_t ino_, size_;
};

class UploadConsumer final : public pipeline::StreamConsumer {
 public:
  explicit UploadConsumer(network::ContentStore::Upload& upload) : upload_(upload) {}
  void consume(ByteView data) override { upload_.write(data); }

 private:
  network::ContentStore::Upload& upload_;
};

std::string join(const std::vector<std::string>& keys, char separator) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : std::string(1, separator)) + k;
  return out;
}

// What the content of a snapshot was: its fields' key paths, sizes, modification times and types. An unfinished
// publish whose fingerprint matches the current one is finished as it was, not published again.
std::string fingerprint_of(const core::DataSnapshot& snap) {
  json parts = json::array();
  parts.push_back(snap.name);
  for (const auto& e : snap.entries)
    parts.push_back({join(e.keys, '.'), e.directory, e.size, e.mtime_ns, e.type.value_or("")});
  const Hash32 digest = crypto::keccak256(as_bytes(parts.dump()));
  return to_hex(ByteView(digest.data(), digest.size()));
}

// The zip plan and schema of a snapshot: each leaf typed by its user.protected.type or by its content.
pipeline::PackPlan plan_snapshot(const core::DataSnapshot& snap, core::FieldContents& contents,
                                 format::Schema& schema) {
  pipeline::PackPlan plan;
  std::vector<format::Schema*> objects{&schema};  // objects[depth]: the object the next member at that depth joins
  for (const auto& entry : snap.entries) {
    objects.resize(entry.keys.size());
    format::Schema& parent = *objects.back();
    const std::string zip_path = join(entry.keys, '/');
    if (entry.directory) {
      plan.items.push_back({.path = zip_path + "/", .directory = true});
      objects.push_back(&parent.add_object(entry.keys.back()));
      continue;
    }
    const pipeline::LeafSource source{
        snap.name + "/" + join(entry.keys, '.'), entry.size,
        [&contents, ino = entry.ino, size = entry.size] { return std::make_unique<FieldSource>(contents, ino, size); }};
    pipeline::PlannedLeaf leaf =
        entry.type ? pipeline::plan_typed_leaf(zip_path, source, format::parse_field_type(*entry.type))
                   : pipeline::plan_detected_leaf(zip_path, source);
    parent.add(entry.keys.back(), leaf.type);
    plan.items.push_back(std::move(leaf.item));
  }
  plan.schema_json = schema.to_json();
  return plan;
}

}  // namespace

Publisher::Publisher(core::Filesystem& fs, core::FieldContents& contents, network::Network& network,
                     const crypto::PrivateKey& wallet, core::KeyStore& keys, core::PublishJournal& journal,
                     PublisherOptions options)
    : fs_(fs),
      contents_(contents),
      network_(network),
      wallet_(wallet),
      keys_(keys),
      journal_(journal),
      options_(options),
      grants_(fs, network, wallet) {}

Publisher::~Publisher() { stop(); }

void Publisher::start() {
  // Publishes a crash interrupted: publish() finds their journal entries and resumes them (below).
  for (const auto& [data, text] : journal_.load()) {
    try {
      const json entry = json::parse(text);
      if (entry.value("kind", "") == "revoke") {  // a removed folder's orders: kept until they are closed
        Entry e;
        e.due = Clock::now();
        e.name = entry.value("name", "");
        for (const auto& o : entry.at("orders")) {
          core::IssuedOrder order;
          order.hash = o.at("hash");
          order.dataset = o.at("dataset");
          order.signed_order = o.at("signed");
          order.state = core::IssuedOrder::State::Open;
          e.revoke.push_back(order);
        }
        MutexLock lock(mutex_);
        queue_[data] = std::move(e);
        continue;
      }
      changed(data, entry.value("name", ""));  // publish() resumes it from the journal, never registering twice
    } catch (const std::exception&) {
      journal_.erase(data);  // unreadable: the data is simply published again (its status says pending)
    }
  }
  // Whatever was pending when the daemon stopped or crashed (the tree keeps the status); and every folder's grants
  // are brought in line once (an order left half issued, a transfer under way).
  for (const auto& data : fs_.data_list()) {
    const std::string& status = data.info.status;
    const bool content = status != "published" && status != "draft" && status.rfind("failed: grants", 0) != 0 &&
                         data.info.transfer_to.empty();
    if (content) changed(data.ino, data.name);
    else if (!data.info.grants.empty() || !data.info.orders.empty() || !data.info.transfer_to.empty())
      grants_changed(data.ino, data.name);
  }
  MutexLock lock(mutex_);
  stopping_ = false;
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { run(); });
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
    e.due = Clock::now() + options_.delay;
    e.content = true;
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
    if (!e.content) e.due = Clock::now();  // a publish pending re-issues them anyway, once it is done
  }
  wake_.notify_all();
}

void Publisher::removed(uint64_t data_ino, const std::string& name, const std::vector<core::IssuedOrder>& orders) {
  std::vector<core::IssuedOrder> live;
  json journaled = json::array();
  for (const auto& o : orders) {
    if (o.state != core::IssuedOrder::State::Open && o.state != core::IssuedOrder::State::Issuing) continue;
    live.push_back(o);
    journaled.push_back({{"hash", o.hash}, {"dataset", o.dataset}, {"signed", o.signed_order}});
  }
  if (!live.empty()) journal_.put(data_ino, json{{"kind", "revoke"}, {"name", name}, {"orders", journaled}}.dump());
  {
    MutexLock lock(mutex_);
    queue_.erase(data_ino);  // a publish running for it finishes; the tree ignores its result
    if (!live.empty()) {
      Entry& e = queue_[data_ino];
      e.name = name;
      e.due = Clock::now();
      e.revoke = std::move(live);
    }
  }
  wake_.notify_all();
}

void Publisher::set_status(uint64_t data_ino, const std::string& status) {
  // Shown even when it cannot be stored (the cache is read-only on a full disk): never the end of the worker.
  try {
    fs_.update_data(data_ino, [&](core::DataInfo& info) { info.status = status; });
  } catch (const Error& e) {
    spdlog::debug("status of {} not stored: {}", data_ino, e.what());  // the cache logged why, once
  }
}

void Publisher::run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    // The earliest due entry that no other worker has.
    auto next = queue_.end();
    for (auto it = queue_.begin(); it != queue_.end(); ++it)
      if (!running_.count(it->first) && (next == queue_.end() || it->second.due < next->second.due)) next = it;
    if (next == queue_.end()) {
      lock.wait(wake_);
      continue;
    }
    if (next->second.due > Clock::now()) {
      // A copy: wait_until reads its deadline while the lock is released, and the entry may be erased meanwhile.
      const Clock::time_point due = next->second.due;
      lock.wait_until(wake_, due);
      continue;
    }
    const uint64_t data = next->first;
    const uint64_t generation = next->second.generation;
    const Entry entry = next->second;
    running_[data] = entry.content ? "plan" : entry.revoke.empty() ? "grants" : "revoke";
    lock.unlock();
    std::string failure;
    try {
      work(data, entry);
    } catch (const Error& e) {
      failure = e.what();
    } catch (const std::exception& e) {
      failure = std::string("unexpected: ") + e.what();
    }
    lock.lock();
    const std::string last_step = running_[data];
    running_.erase(data);
    wake_.notify_all();  // a worker that skipped this entry while it ran, and wait_idle, look again
    auto it = queue_.find(data);
    if (it == queue_.end()) continue;
    if (it->second.generation != generation) {  // changed meanwhile: publish again when quiet
      lock.unlock();
      set_status(data, "pending");
      lock.lock();
      continue;
    }
    if (failure.empty()) {
      if (it->second.grant_requests != entry.grant_requests) {  // grants changed meanwhile: once more, at once
        it->second.content = false;
        it->second.due = Clock::now();
        continue;
      }
      queue_.erase(it);
      wake_.notify_all();
      continue;
    }
    spdlog::warn("'{}': {} failed: {}", entry.name, last_step, failure);
    // Retry with exponential backoff; the status says why and when.
    const int failures = ++it->second.failures;
    const auto backoff = std::min<std::chrono::milliseconds>(
        options_.max_backoff, std::chrono::milliseconds(int64_t{1000} << std::min(failures - 1, 16)));
    it->second.due = Clock::now() + backoff;
    lock.unlock();
    if (entry.revoke.empty())
      set_status(data, std::string("failed: ") + (entry.content ? "" : "grants: ") + failure + " (retry in " +
                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(backoff).count()) + "s)");
    lock.lock();
  }
}

void Publisher::work(uint64_t data, const Entry& entry) {
  if (!entry.revoke.empty()) {
    grants_.revoke_all(entry.revoke);
    journal_.erase(data);
    return;
  }
  if (entry.content) publish(data, entry.generation);
  grants_.reconcile(data);
  // A grant failure shown earlier is over.
  fs_.update_data(data, [](core::DataInfo& info) {
    if (info.status.rfind("failed: grants", 0) == 0) info.status = "published";
  });
}

void Publisher::publish(uint64_t data, uint64_t generation) {
  core::DataSnapshot snap;
  try {
    snap = fs_.snapshot(data);
  } catch (const Error& e) {
    if (e.code() != ENOENT) throw;
    journal_.erase(data);  // the folder is gone (rmdir): nothing left to publish
    return;
  }
  const core::DataInfo before = fs_.data_info(data);
  if (!snap.has_fields()) {  // a protected data is never empty: the last version stays until rmdir
    set_status(data, before.address.empty() ? "draft" : "published");
    return;
  }
  auto step = [&](const std::string& name, int percent) {
    {
      MutexLock lock(mutex_);
      running_[data] = name + " " + std::to_string(percent) + "%";
    }
    set_status(data, "publishing " + name + " " + std::to_string(percent) + "%");
  };
  // A publish that got as far as registering (before a failure or a crash) is finished first: its registration is
  // found if it landed and sent again only if it did not and the content is still the same, so one version is
  // never registered twice.
  const std::string fingerprint = fingerprint_of(snap);
  if (auto pending = journal_.get(data)) {
    const json entry = json::parse(*pending);
    const network::Registration registration{entry.at("name"), from_hex(entry.at("multiaddr").get<std::string>()),
                                             from_hex_fixed<32>(entry.at("checksum").get<std::string>()),
                                             entry.at("schema")};
    const bool same_content = entry.value("fingerprint", "") == fingerprint && registration.name == snap.name;
    auto landed = network_.registry->find_registration(wallet_.address(), registration);
    if (landed || same_content) {
      step("register", 0);
      finish_registration(data, registration, entry.at("key"), landed, step);
      if (same_content) return;
    } else {
      journal_.erase(data);  // never landed, and the content changed since: its upload simply goes unused
    }
  }

  step("plan", 0);
  format::Schema schema;
  const pipeline::PackPlan plan = plan_snapshot(snap, contents_, schema);

  step("upload", 0);
  auto upload = network_.storage->begin_upload();
  UploadConsumer uploader(*upload);
  pipeline::ProtectOptions options;
  int shown = 0;
  options.progress = [&](uint64_t done, uint64_t total) {
    const int percent = total ? static_cast<int>(100 * done / total) : 100;
    if (percent != shown) step("upload", shown = percent);
  };
  const pipeline::ProtectedFile file = pipeline::protect(plan, {&uploader}, options);
  {
    MutexLock lock(mutex_);
    const auto it = queue_.find(data);
    if (it == queue_.end() || it->second.generation != generation) return;  // removed or changed while streaming
  }
  const std::string cid = upload->commit();
  if (cid != file.cid) throw Error(EIO, "storage computed CID " + cid + " but the pipeline " + file.cid);

  step("register", 0);
  const std::string key = to_base64(file.key);
  const network::Registration registration{snap.name, file.multiaddr, from_hex_fixed<32>(file.checksum),
                                           plan.schema_json};
  journal_.put(data, json{{"name", registration.name},
                          {"multiaddr", to_hex(registration.multiaddr)},
                          {"checksum", to_hex(registration.checksum)},
                          {"schema", registration.schema},
                          {"key", key},
                          {"fingerprint", fingerprint}}
                         .dump());
  finish_registration(data, registration, key, std::nullopt, step);
}

// Registers (unless `landed` says it is already), keeps the key, pushes it to the secret service, and only then
// forgets the journal entry: each step may fail and be retried without doing an earlier one twice. The callers have
// already looked for the registration (a resumed publish) or know it cannot exist (a fresh upload: its random IV
// makes a new checksum), so it is not looked up again here.
void Publisher::finish_registration(uint64_t data, const network::Registration& registration, const std::string& key,
                                    std::optional<network::DatasetRecord> landed,
                                    const std::function<void(const std::string&, int)>& step) {
  if (!landed) {
    try {
      landed = network_.registry->register_dataset(wallet_, registration);
    } catch (const Error& e) {
      // The same registration already there (a transaction whose answer was lost): find it.
      if (e.code() != EEXIST) throw;
      landed = network_.registry->find_registration(wallet_.address(), registration);
      if (!landed) throw;
    }
  }
  keys_.put(landed->address.to_string(), key);
  step("secret", 0);
  if (!network_.secrets->exists(landed->address)) {
    try {
      network_.secrets->push(wallet_, landed->address, key);
    } catch (const Error& e) {
      if (e.code() != EEXIST) throw;  // pushed by an earlier try whose answer was lost
    }
  }
  journal_.erase(data);
  record_published(data, *landed);
}

// The attributes of SPEC.md §3 for a version that is now registered; the previous one joins the versions list.
void Publisher::record_published(uint64_t data, const network::DatasetRecord& record) {
  fs_.update_data(data, [&](core::DataInfo& info) {
    json versions = json::parse(info.versions.empty() ? "[]" : info.versions);
    if (!info.address.empty() && info.address != record.address.to_string())
      versions.insert(versions.begin(), json{{"address", info.address}, {"created", info.created}});
    remote::apply_published(info, record, versions.dump());
  });
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
  const auto now = Clock::now();
  for (const auto& [entry, step] : order) {
    if (items.size() == kShown) break;
    json item{{"name", entry->name}};
    if (step) {
      item["state"] = "running";
      item["step"] = *step;
    } else {
      item["state"] = entry->failures ? "retrying" : "pending";
      item["in_ms"] =
          std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(entry->due - now).count());
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
