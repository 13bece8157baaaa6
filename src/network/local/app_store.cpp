#include "network/local/app_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "network/local/address.hpp"
#include "network/local/files.hpp"
#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/utf8.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExecutable = "app";
constexpr const char* kRecord = "app.json";

std::string encode_app(const AppRecord& app, uint64_t created) {
  nlohmann::ordered_json out;
  out["address"] = app.address.to_string();
  out["owner"] = app.owner.to_string();
  out["name"] = app.name;
  out["checksum"] = to_hex0x(app.checksum);
  out["created"] = created;
  return out.dump() + "\n";
}

std::optional<AppRecord> decode_app(std::string_view text) {
  try {
    const auto in = nlohmann::json::parse(text);
    AppRecord app;
    app.address = crypto::Address::parse(in.at("address").get<std::string>());
    app.owner = crypto::Address::parse(in.at("owner").get<std::string>());
    app.name = in.at("name").get<std::string>();
    app.checksum = from_hex_fixed<32>(in.at("checksum").get<std::string>());
    return app;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  } catch (const Error&) {
    return std::nullopt;
  }
}

Hash32 sha256_of_file(int fd) {
  crypto::Sha256 sha;
  Bytes buffer(1 << 20);
  for (;;) {
    const std::size_t n = read_full(fd, buffer);
    sha.update(ByteView(buffer.data(), n));
    if (n < buffer.size()) return sha.finish();
  }
}

// Copies src into dst (created 0555), returning the SHA-256 of the bytes copied.
Hash32 copy_hashing(int src, const fs::path& dst) {
  UniqueFd out = open_file(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0555);
  crypto::Sha256 sha;
  Bytes buffer(1 << 20);
  for (;;) {
    const std::size_t n = read_full(src, buffer);
    const ByteView chunk(buffer.data(), n);
    sha.update(chunk);
    write_full(out.get(), chunk, dst.string());
    if (n < buffer.size()) break;
  }
  if (::fchmod(out.get(), 0555) != 0) throw_system_error("cannot set the mode of " + dst.string());
  if (::fsync(out.get()) != 0) throw_system_error("cannot flush " + dst.string());
  return sha.finish();
}

// The folder of a registration in progress: removed unless it was renamed into place.
struct Staging {
  fs::path path;
  ~Staging() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
};

}  // namespace

AppRecord AppStore::register_app(const crypto::PrivateKey& owner, const fs::path& executable, const std::string& name) {
  UniqueFd source = open_file(executable, O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (::fstat(source.get(), &st) != 0) throw_system_error("cannot stat " + executable.string());
  if (!S_ISREG(st.st_mode)) throw Error(EINVAL, executable.string() + " is not a regular file");
  if (st.st_size == 0) throw Error(EINVAL, executable.string() + " is empty");
  AppRecord app;
  app.owner = owner.address();
  app.name = name.empty() ? executable.filename().string() : name;
  if (!format::Utf8Validator::valid(as_bytes(app.name))) throw Error(EINVAL, "the app name is not valid UTF-8");

  // The copy is made under the write lock so that recovery, which holds it, never removes a live registration.
  Directory::WriteGuard guard(*dir_);
  std::string pattern = (dir_->apps() / ".register-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_system_error("cannot create a folder in " + dir_->apps().string());
  Staging staging{pattern};
  ::chmod(staging.path.c_str(), 0755);
  app.checksum = copy_hashing(source.get(), staging.path / kExecutable);
  app.address = app_address(app.checksum);
  if (auto existing = find(app.address)) return *existing;

  create_file_atomically(staging.path, kRecord, as_bytes(encode_app(app, unix_seconds())), 0444);
  fsync_directory(staging.path);
  const fs::path target = dir_->apps() / app.address.to_lowercase();
  if (::rename(staging.path.c_str(), target.c_str()) != 0) throw_system_error("cannot create " + target.string());
  staging.path.clear();
  fsync_directory(dir_->apps());
  return app;
}

std::optional<AppRecord> AppStore::find(const crypto::Address& app) {
  const fs::path path = dir_->apps() / app.to_lowercase() / kRecord;
  auto text = read_whole_file(path);
  if (!text) return std::nullopt;
  auto record = decode_app(*text);
  if (!record || record->address != app) throw Error(EIO, "damaged app record " + path.string());
  return record;
}

fs::path AppStore::verified_executable(const AppRecord& app) {
  const fs::path path = dir_->apps() / app.address.to_lowercase() / kExecutable;
  UniqueFd fd = open_file(path, O_RDONLY | O_CLOEXEC);
  if (sha256_of_file(fd.get()) != app.checksum)
    throw Error(EBADMSG, "the executable of app " + app.address.to_string() + " was changed after registration");
  return path;
}

}  // namespace pfs::network::local
