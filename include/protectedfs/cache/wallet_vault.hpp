// What belongs to a wallet on one network rather than to one mount's cache, so that a second mount (another cache
// directory, an empty one) sees the same protected data and can read them:
//   keys/<dataset address>   the data key of each version published from this machine, sealed with a key derived
//                            from the wallet (SPEC.md §5: keys are encrypted at rest); the secret service can't give
//                            a key back, so this is the owner's only copy.
//   hidden/<hex of name>     lineages the user removed with rmdir: the chain keeps them, the mount no longer shows
//                            them (SPEC.md §2).
//   result-key               the wallet's result-encryption RSA private key (PEM), sealed like the data keys: the
//                            only key that opens the results of its encrypted runs (run --encrypt-result).
//   key-v2                   present once every entry is sealed with the v2 key (state_keys.hpp): a vault sealed
//                            with the v1 key is re-sealed entry by entry when opened, then this file is written.
// One file per entry, each written whole (temporary + rename + fsync): several mounts and commands of the same
// wallet may use the vault at once without a lock, and a crash leaves either the old or the new entry.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "protectedfs/cache/metadata_db.hpp"
#include "protectedfs/core/persistence.hpp"

namespace pfs::cache {

class WalletVault final : public core::KeyStore {
 public:
  // Creates the directory (mode 0700) if needed; re-seals entries sealed with `legacy_key` (metadata_db.hpp).
  WalletVault(std::filesystem::path dir, const MasterKey& key, const LegacyKey& legacy_key = {});

  // KeyStore: durable when put returns; get throws EIO for a tampered or foreign entry.
  void put(const std::string& dataset_address, const std::string& key_base64) override;
  std::optional<std::string> get(const std::string& dataset_address) override;

  void hide(const std::string& lineage_name);
  void unhide(const std::string& lineage_name);
  bool hidden(const std::string& lineage_name) const;

  void put_result_key(const std::string& private_pem);
  std::optional<std::string> result_key();  // EIO for a tampered or foreign entry

 private:
  std::filesystem::path dir_;
  MasterKey key_;
};

}  // namespace pfs::cache
