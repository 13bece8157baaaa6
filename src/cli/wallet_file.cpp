#include "cli/wallet_file.hpp"

#include <fstream>

#include "protectedfs/crypto/keystore.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cli {

std::string read_wallet_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw Error(ENOENT, "cannot read " + path.string() + (std::filesystem::exists(path) ? "" : ": no such file"));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void save_wallet(const std::filesystem::path& path, const std::string& keystore) {
  if (std::filesystem::exists(path)) throw Error(EEXIST, "a wallet already exists at " + path.string());
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
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
