#include "cli/wallet_file.hpp"

#include <fstream>

#include "protectedfs/crypto/keystore.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cli {

std::string read_wallet_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw Error(ENOENT, "cannot read " + path.string() + (std::filesystem::exists(path) ? "" : ": no such file"));
  // At most one byte past the cap: a 200 MB file given as a wallet is refused without being read into memory.
  std::string text(crypto::kMaxKeystoreBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > crypto::kMaxKeystoreBytes)
    throw Error(EINVAL, path.string() + " is larger than " + std::to_string(crypto::kMaxKeystoreBytes / 1024) +
                            " KiB: not a wallet (keystore or private key) file");
  return text;
}

void save_wallet(const std::filesystem::path& path, const std::string& keystore) {
  if (std::filesystem::exists(path)) throw Error(EEXIST, "a wallet already exists at " + path.string());
  // A folder made for the wallet is private (the default one is protectedfs's data folder); an existing one is the
  // user's choice and stays as it is. The file itself is 0600.
  if (path.has_parent_path() && !std::filesystem::exists(path.parent_path()))
    create_private_directories(path.parent_path());
  AtomicFile out(path, 0600);
  out.write(as_bytes(keystore));
  out.commit();
}

crypto::PrivateKey create_wallet(const std::filesystem::path& path, const std::string& password) {
  if (std::filesystem::exists(path)) throw Error(EEXIST, "a wallet already exists at " + path.string());
  if (password.empty()) throw Error(EINVAL, "refusing an empty password");
  auto key = crypto::PrivateKey::generate();
  save_wallet(path, crypto::encrypt_keystore(key, password));
  return key;
}

}  // namespace pfs::cli
