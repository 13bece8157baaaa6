#include "network/local/registry.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "network/local/address.hpp"
#include "network/local/files.hpp"
#include "protectedfs/format/schema.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

std::optional<std::vector<std::string>> sorted_searchable(const std::string& schema) {
  try {
    auto entries = format::Schema::parse(schema).searchable();
    std::sort(entries.begin(), entries.end());
    return entries;
  } catch (const Error&) {
    return std::nullopt;  // the chain accepts any schema text; one that does not parse matches no search
  }
}

bool same_registration(const DatasetRecord& record, const crypto::Address& owner, const Registration& registration) {
  return record.owner == owner && record.name == registration.name && record.multiaddr == registration.multiaddr &&
         record.checksum == registration.checksum && record.schema == registration.schema;
}

// The next registration's order number, above every earlier one without reading them all (a registry of ten
// thousand datasets must not be scanned at each registration). Called under the write lock. The last number is kept
// in SEQUENCE; should a crash lose its update, the clock still orders registrations (numbers are nanoseconds).
uint64_t next_sequence(const std::filesystem::path& root) {
  const auto file = root / "SEQUENCE";
  uint64_t last = 0;
  if (auto text = read_whole_file(file)) {
    try {
      last = std::stoull(*text);
    } catch (const std::exception&) {
      last = 0;  // damaged: the clock alone orders the next one
    }
  }
  const auto now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  const uint64_t next = std::max(now, last + 1);
  const auto temporary = root / "SEQUENCE.partial";
  {
    UniqueFd fd = open_file(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    write_full(fd.get(), as_bytes(std::to_string(next)), temporary.string());
  }
  if (::rename(temporary.c_str(), file.c_str()) != 0) throw_system_error("cannot update " + file.string());
  return next;
}

}  // namespace

std::vector<const LocalRegistry::Cached*> LocalRegistry::scan() {
  const auto dir = dir_->registry();
  DIR* stream = ::opendir(dir.c_str());
  if (stream == nullptr) throw_system_error("cannot list " + dir.string());
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(stream)) {
    // Temporaries (".…") and anything else that is not a record name are ignored.
    if (is_record_file_name(entry->d_name)) names.emplace_back(entry->d_name);
  }
  ::closedir(stream);

  std::map<std::string, FileVersion> present;
  for (const auto& name : names) {
    struct stat st {};
    if (::stat((dir / name).c_str(), &st) != 0) {
      if (errno == ENOENT) continue;  // records are never removed; only a damaged directory could do this
      throw_system_error("cannot stat " + (dir / name).string());
    }
    present.emplace(name, FileVersion{st.st_ino, st.st_ctim});
  }

  std::erase_if(cache_, [&](const auto& item) { return !present.contains(item.first); });
  for (const auto& [name, version] : present) {
    auto it = cache_.find(name);
    if (it != cache_.end() && it->second.version == version) continue;
    auto text = read_whole_file(dir / name);
    auto stored = text ? decode_record(*text) : std::nullopt;
    // A damaged record is left out of lists (find() reports it): one bad file must not hide every other dataset.
    if (!stored || record_file_name(stored->record.address) != name) {
      if (it != cache_.end()) cache_.erase(it);
      continue;
    }
    Cached cached{version, *stored, sorted_searchable(stored->record.schema)};
    cache_.insert_or_assign(name, std::move(cached));
  }

  std::vector<const Cached*> out;
  out.reserve(cache_.size());
  for (const auto& item : cache_) out.push_back(&item.second);
  std::sort(out.begin(), out.end(), [](const Cached* a, const Cached* b) {
    if (a->stored.sequence != b->stored.sequence) return a->stored.sequence < b->stored.sequence;
    return a->stored.record.address < b->stored.record.address;
  });
  return out;
}

DatasetRecord LocalRegistry::register_dataset(const crypto::PrivateKey& owner, const Registration& registration) {
  StoredRecord stored;
  DatasetRecord& record = stored.record;
  record.owner = owner.address();
  record.address = dataset_address(record.owner, registration);
  record.name = registration.name;
  record.multiaddr = registration.multiaddr;
  record.checksum = registration.checksum;
  record.schema = registration.schema;
  record.created = unix_seconds();
  record.tx = record_tx_hash(record);

  Directory::WriteGuard guard(*dir_);
  stored.sequence = next_sequence(dir_->root());
  try {
    create_file_atomically(dir_->registry(), record_file_name(record.address), as_bytes(encode_record(stored)), 0644);
  } catch (const Error& e) {
    if (e.code() == EEXIST)
      throw Error(EEXIST, "dataset " + record.address.to_string() + " is already registered (same owner, name, " +
                              "multiaddr and checksum)");
    throw;
  }
  return record;
}

std::optional<DatasetRecord> LocalRegistry::find(const crypto::Address& dataset) {
  auto stored = load_record(dir_->registry(), dataset);
  if (!stored) return std::nullopt;
  return stored->record;
}

std::optional<DatasetRecord> LocalRegistry::find_registration(const crypto::Address& owner,
                                                              const Registration& registration) {
  auto record = find(dataset_address(owner, registration));
  if (record && same_registration(*record, owner, registration)) return record;
  return std::nullopt;
}

crypto::Address LocalRegistry::predicted_address(const crypto::Address& owner, const Registration& registration) {
  return dataset_address(owner, registration);
}

std::vector<DatasetRecord> LocalRegistry::list_by_owner(const crypto::Address& owner) {
  std::lock_guard cache_lock(cache_mutex_);
  std::vector<DatasetRecord> out;
  for (const Cached* cached : scan())
    if (cached->stored.record.owner == owner) out.push_back(cached->stored.record);
  return out;
}

std::vector<DatasetRecord> LocalRegistry::find_by_schema(const std::vector<std::string>& required,
                                                         const std::optional<crypto::Address>& owner) {
  std::vector<std::string> wanted(required);
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::lock_guard cache_lock(cache_mutex_);
  std::vector<DatasetRecord> out;
  for (const Cached* cached : scan()) {
    if (owner && cached->stored.record.owner != *owner) continue;
    const auto& have = cached->searchable;
    if (have && std::includes(have->begin(), have->end(), wanted.begin(), wanted.end()))
      out.push_back(cached->stored.record);
  }
  return out;
}

void LocalRegistry::transfer(const crypto::PrivateKey& owner, const crypto::Address& dataset,
                             const crypto::Address& new_owner) {
  if (new_owner.is_zero())
    throw Error(EINVAL, "cannot transfer dataset " + dataset.to_string() + " to the zero address");
  Directory::WriteGuard guard(*dir_);
  auto stored = load_record(dir_->registry(), dataset);
  if (!stored) throw Error(ENOENT, "dataset " + dataset.to_string() + " is not registered");
  if (stored->record.owner != owner.address())
    throw Error(EACCES, owner.address().to_string() + " does not own dataset " + dataset.to_string() + " (" +
                            stored->record.owner.to_string() + " does)");
  if (new_owner == stored->record.owner) return;  // ERC-721 allows it; nothing changes
  // Only the owner changes: the address, the registration's tx, its place in "oldest first" and the secret stay,
  // as on chain. Orders the previous owner signed stop matching because matching compares with this owner.
  stored->record.owner = new_owner;
  replace_file_atomically(dir_->registry(), record_file_name(dataset), as_bytes(encode_record(*stored)), 0644);
}

}  // namespace pfs::network::local
