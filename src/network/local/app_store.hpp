// The AppRegistry stand-in: an iApp is an executable copied into apps/<0xapp>/app (mode 0555) with its record in
// apps/<0xapp>/app.json; its address derives from the executable's SHA-256 (address.hpp), so the same content is
// always the same app. A registration is built in apps/.register-XXXXXX/ and renamed into place under the write
// lock: an app folder is whole or absent.
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "network/local/directory.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

class AppStore {
 public:
  explicit AppStore(std::shared_ptr<Directory> dir) : dir_(std::move(dir)) {}

  // EINVAL unless `executable` is a non-empty regular file (symlinks followed) and the name valid UTF-8 (an empty
  // name becomes the file's name). An app already registered with the same content is returned as it is.
  AppRecord register_app(const crypto::PrivateKey& owner, const std::filesystem::path& executable,
                         const std::string& name);
  std::optional<AppRecord> find(const crypto::Address& app);
  // The registered executable, checked against the recorded checksum (EBADMSG if it was changed).
  std::filesystem::path verified_executable(const AppRecord& app);

 private:
  std::shared_ptr<Directory> dir_;
};

}  // namespace pfs::network::local
