#include "protectedfs/remote/tree_sync.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/data_info.hpp"
#include "protectedfs/remote/dataset_info.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::remote {
namespace {

using network::DatasetRecord;

bool valid_file_name(const std::string& name) {
  return !name.empty() && name.size() <= 255 && name.front() != '.' && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

// A lineage's earlier versions, newest first.
std::vector<core::VersionRef> earlier_versions(const std::vector<DatasetRecord>& lineage) {
  std::vector<core::VersionRef> out;
  for (auto it = lineage.rbegin() + 1; it != lineage.rend(); ++it)
    out.push_back({it->address.to_string(), iso_time(it->created)});
  return out;
}

bool is_version_of(const std::string& address, const std::vector<DatasetRecord>& lineage) {
  for (const auto& r : lineage)
    if (r.address.to_string() == address) return true;
  return false;
}

// Why a version's content could not be fetched, shown by its status until the next pass tries again. A named
// refusal keeps its errno (EBADMSG: fails its checksum; ENOTSUP: stored at a URL); anything else is EIO, as reads say.
core::PublishFailure fetch_failure(const Error& e, std::chrono::milliseconds interval) {
  core::PublishFailure f;
  f.step = std::string(core::kFetchStep);
  f.error = e.code() == EBADMSG || e.code() == ENOTSUP ? e.code() : EIO;
  f.message = std::string("its content cannot be fetched: ") + e.what();
  f.retry_in = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(interval).count());
  f.retry_at =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
      f.retry_in;
  return f;
}

}  // namespace

TreeSync::TreeSync(core::Filesystem& fs, network::Network& network, const crypto::Address& owner,
                   PublishedReader& reader, TreeSyncOptions options)
    : fs_(fs), network_(network), owner_(owner), reader_(reader), options_(std::move(options)) {}

TreeSync::~TreeSync() { stop(); }

void TreeSync::start() {
  MutexLock lock(mutex_);
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void TreeSync::stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TreeSync::run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      sync_once();
    } catch (const std::exception& e) {
      spdlog::warn("tree sync: the network could not be read: {}", e.what());
    }
    lock.lock();
    const auto next = std::chrono::steady_clock::now() + options_.interval;
    while (!stopping_ && lock.wait_until(wake_, next) == std::cv_status::no_timeout) {
    }
  }
}

void TreeSync::sync_once() {
  // Lineages by shown name, each oldest first (list_by_owner's order).
  std::map<std::string, std::vector<DatasetRecord>> lineages;
  for (auto& record : network_.registry->list_by_owner(owner_)) {
    if (options_.hidden && options_.hidden(record.name)) continue;
    const std::string shown = valid_file_name(record.name) ? record.name : record.address.to_string();
    lineages[shown].push_back(std::move(record));
  }
  std::map<std::string, core::DataSummary> local;
  for (auto& summary : fs_.data_list()) local.emplace(summary.name, std::move(summary));

  for (const auto& [name, lineage] : lineages) {
    const DatasetRecord& newest = lineage.back();
    const std::string address = newest.address.to_string();
    auto here = local.find(name);
    bool retry = false;  // shown already from its schema alone: its content is tried again
    if (here != local.end()) {
      const core::DataInfo& info = here->second.info;
      // This mount has changes of its own (its next version will be the newest), or shows this version already (one
      // listed from its schema alone is tried again).
      if (!core::shows_registered_version(info)) continue;
      if (info.address == address && !core::content_not_fetched(info)) continue;
      // This mount published a version the listing does not have yet (a chain's logs can lag): keep it.
      if (!is_version_of(info.address, lineage)) continue;
      retry = info.address == address;
    }
    core::AdoptedData data;
    data.name = name;
    apply_published(data.info, newest, earlier_versions(lineage));
    try {
      data.entries = reader_.entries(newest);
    } catch (const Error& e) {
      if (retry) {  // still missing: its status says so already (logged when it was listed)
        spdlog::debug("{}: the content of version {} still cannot be fetched: {}", quote(name), address, e.what());
        continue;
      }
      // The owner's data stays listed, from what the registry holds: its reads fail (EIO) until the content is back.
      try {
        data.entries = reader_.schema_entries(newest);
      } catch (const Error& schema_error) {
        spdlog::warn("{}: version {} is not shown: {}; its schema: {}", quote(name), address, e.what(),
                     schema_error.what());
        continue;
      }
      data.info.status = {.kind = core::DataStatus::Kind::Failed, .failure = fetch_failure(e, options_.interval)};
      spdlog::warn("{}: version {} is listed from its schema: its content cannot be fetched: {}", quote(name), address,
                   e.what());
    }
    try {
      // A folder new here shows the grants made elsewhere (another mount of the wallet, the SDK).
      if (here == local.end() && network_.grants)
        import_grants(data.info, network_.grants->open_orders(newest.address));
      // A lineage hidden since it was listed (its folder renamed or removed here meanwhile: the rename hides the old
      // name with the tree lock held) must not come back under that name.
      if (here == local.end() && options_.hidden && options_.hidden(newest.name)) continue;
      fs_.adopt(data);
      if (retry) spdlog::info("{}: the content of version {} is fetched now", quote(name), address);
      else if (!core::content_not_fetched(data.info))  // (listed from its schema: logged above)
        spdlog::info("{}: showing version {} published {}", quote(name), address,
                     here == local.end() ? "elsewhere" : "since");
    } catch (const Error& e) {
      spdlog::warn("{}: version {} is not shown: {}", quote(name), address, e.what());
    }
  }

  // Usage: accesses consumed by runs, remaining volumes (getfattr answers from the tree, never from the network).
  if (options_.refresh_usage)
    for (const auto& [name, summary] : local) {
      const bool open =
          std::any_of(summary.info.orders.begin(), summary.info.orders.end(),
                      [](const core::IssuedOrder& o) { return o.state == core::IssuedOrder::State::Open; });
      if (!open) continue;
      try {
        options_.refresh_usage(summary.ino);
      } catch (const Error& e) {
        spdlog::warn("{}: usage not refreshed: {}", quote(name), e.what());
      }
    }

  // Published folders whose newest version the wallet no longer owns (given away) leave the mount.
  for (const auto& [name, summary] : local) {
    if (!core::shows_registered_version(summary.info) || summary.info.address.empty() || lineages.count(name)) continue;
    const auto record = network_.registry->find(crypto::Address::parse(summary.info.address));
    if (!record || record->owner == owner_) continue;
    fs_.forget(summary.ino);
    spdlog::info("{}: now owned by {}, no longer shown", quote(name), record->owner.to_string());
  }
}

}  // namespace pfs::remote
