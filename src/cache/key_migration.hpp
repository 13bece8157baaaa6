// Re-sealing with the v2 key what was sealed with the v1 key (protectedfs/cache/state_keys.hpp), once per cache and
// per vault, when it is opened. Each record is tried with the v2 key first, so a migration cut short by a crash is
// finished by the next open; a record that opens under neither key is left as it is, for its reader to report.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "cache/guarded_db.hpp"
#include "protectedfs/cache/metadata_db.hpp"

namespace pfs::cache {

// One record's move to the v2 key, the v1 key asked for at most once per migration (and never when no record needs
// it). The vault's migration (wallet_vault.cpp) and the cache's below use it.
class Resealer {
 public:
  Resealer(const MasterKey& key, const LegacyKey& legacy) : key_(key), legacy_(legacy) {}
  ~Resealer();
  Resealer(const Resealer&) = delete;
  Resealer& operator=(const Resealer&) = delete;

  // The value sealed with the v2 key when `sealed` opens with the v1 key only; nothing when it needs no move (it
  // opens with the v2 key) or cannot move (it opens with neither, or there is no v1 key: then stuck()).
  std::optional<std::string> reseal(std::string_view record_key, std::string_view sealed);

  // A record may be sealed with the v1 key and there is none to open it: the migration must wait for an open that
  // has it, so its marker is not written.
  bool stuck() const { return stuck_; }
  int moved() const { return moved_; }

 private:
  const MasterKey& key_;
  const LegacyKey& legacy_;
  std::optional<MasterKey> old_;
  int moved_ = 0;
  bool stuck_ = false;
};

// The metadata cache: every sealed record re-sealed and the m/key-v2 marker set in one synced write batch. Plain tree
// records (a cache from before m/tree-sealed) are left to be sealed with the v2 key after this.
void migrate_metadata(GuardedDb& db, const MasterKey& key, const LegacyKey& legacy);

}  // namespace pfs::cache
