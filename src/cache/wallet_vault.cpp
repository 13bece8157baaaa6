#include "protectedfs/cache/wallet_vault.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "cache/key_migration.hpp"
#include "cache/sealed.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cache {
namespace {

namespace fs = std::filesystem;

std::string lowercase(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

void write_whole(const fs::path& path, std::string_view data) {
  AtomicFile file(path, 0600);
  file.write(as_bytes(data));
  file.commit();
}

const std::string kMigratedMarker = "key-v2";

// Entries sealed with the v1 key (key_migration.hpp) re-sealed one by one, each rewritten whole, then the marker.
void migrate(const fs::path& dir, const MasterKey& key, const LegacyKey& legacy) {
  std::error_code ec;
  if (fs::exists(dir / kMigratedMarker, ec)) return;
  std::vector<std::pair<fs::path, std::string>> entries;  // file, record key (sealed.hpp's associated data)
  for (const auto& entry : fs::directory_iterator(dir / "keys")) {
    const std::string name = entry.path().filename().string();
    // Names starting with a dot are AtomicFile's temporaries, not entries.
    if (entry.is_regular_file() && !name.starts_with('.')) entries.emplace_back(entry.path(), "k/" + name);
  }
  if (fs::exists(dir / "result-key", ec)) entries.emplace_back(dir / "result-key", "result-key");
  Resealer resealer(key, legacy);
  for (const auto& [path, record] : entries) {
    const auto sealed = read_whole_file(path);
    if (!sealed) continue;
    if (auto moved = resealer.reseal(record, *sealed)) write_whole(path, *moved);
  }
  if (resealer.stuck()) return;
  write_whole(dir / kMigratedMarker, "");
  if (resealer.moved() > 0)
    spdlog::info("vault {}: {} entries re-sealed with the v2 key", dir.string(), resealer.moved());
}

// Lineage names are arbitrary UTF-8 (slashes included): hex makes them file names.
std::string hidden_file(const std::string& name) { return to_hex(as_bytes(name)); }

}  // namespace

WalletVault::WalletVault(fs::path dir, const MasterKey& key, const LegacyKey& legacy_key)
    : dir_(std::move(dir)), key_(key) {
  create_private_directories(dir_ / "keys");
  create_private_directories(dir_ / "hidden");
  migrate(dir_, key_, legacy_key);
}

void WalletVault::put(const std::string& dataset_address, const std::string& key_base64) {
  if (dataset_address.empty()) throw Error(EINVAL, "vault: a data key needs a dataset address");
  const std::string name = lowercase(dataset_address);
  write_whole(dir_ / "keys" / name, seal(key_, "k/" + name, key_base64));
}

std::optional<std::string> WalletVault::get(const std::string& dataset_address) {
  const std::string name = lowercase(dataset_address);
  auto sealed = read_whole_file(dir_ / "keys" / name);
  if (!sealed) return std::nullopt;
  return unseal(key_, "k/" + name, *sealed, "vault key of " + name);
}

void WalletVault::put_result_key(const std::string& private_pem) {
  write_whole(dir_ / "result-key", seal(key_, "result-key", private_pem));
}

std::optional<std::string> WalletVault::result_key() {
  auto sealed = read_whole_file(dir_ / "result-key");
  if (!sealed) return std::nullopt;
  return unseal(key_, "result-key", *sealed, "result-encryption key");
}

void WalletVault::hide(const std::string& lineage_name) {
  write_whole(dir_ / "hidden" / hidden_file(lineage_name), "");
}

void WalletVault::unhide(const std::string& lineage_name) {
  std::error_code ec;
  fs::remove(dir_ / "hidden" / hidden_file(lineage_name), ec);
}

bool WalletVault::hidden(const std::string& lineage_name) const {
  std::error_code ec;
  return fs::exists(dir_ / "hidden" / hidden_file(lineage_name), ec);
}

}  // namespace pfs::cache
