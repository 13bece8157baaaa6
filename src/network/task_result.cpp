#include "protectedfs/network/task_result.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "protectedfs/crypto/result_cipher.hpp"
#include "protectedfs/format/zip_reader.hpp"
#include "protectedfs/format/zip_writer.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network {
namespace {

namespace fs = std::filesystem;

class BytesSink final : public format::ByteSink {
 public:
  explicit BytesSink(Bytes& out) : out_(out) {}
  void write(ByteView data) override { out_.insert(out_.end(), data.begin(), data.end()); }

 private:
  Bytes& out_;
};

void add_tree(format::ZipWriter& zip, const fs::path& dir, const std::string& prefix) {
  std::vector<fs::directory_entry> entries{fs::directory_iterator(dir), fs::directory_iterator()};
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const auto& entry : entries) {
    const std::string name = prefix + entry.path().filename().string();
    if (entry.is_symlink()) continue;
    if (entry.is_directory()) {
      zip.add_directory(name + "/");
      add_tree(zip, entry.path(), name + "/");
    } else if (entry.is_regular_file()) {
      auto content = read_whole_file(entry.path());
      if (!content) throw Error(EIO, "cannot read " + entry.path().string());
      zip.add_file(name, as_bytes(*content));
    }
  }
}

}  // namespace

Bytes zip_folder(const fs::path& dir) {
  Bytes out;
  BytesSink sink(out);
  format::ZipWriter zip(sink);
  add_tree(zip, dir, "");
  zip.finish();
  return out;
}

void check_result_folder(const fs::path& target) {
  std::error_code ec;
  const auto status = fs::symlink_status(target, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status) || !fs::is_empty(target, ec))
      throw Error(EEXIST, target.string() + " already exists and is not an empty folder");
    return;
  }
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (!fs::is_directory(parent, ec))
    throw Error(ENOENT, "cannot create " + target.string() + ": no folder " + parent.string());
}

void unzip_result(ByteView zip, const fs::path& target) {
  check_result_folder(target);
  std::error_code ec;
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  MemorySource source(Bytes(zip.begin(), zip.end()));
  std::optional<format::ZipReader> opened;
  try {
    opened.emplace(source, format::ZipCompression::StoredOrDeflated);  // an iExec worker's zip is deflated
  } catch (const Error& e) {
    if (e.code() != ENOTSUP) throw;
    // Compressed some other way (or encrypted), which ZipReader does not open: delivered whole, as iExec's tools save
    // it.
    fs::create_directories(target);
    AtomicFile file(target / "iexec_out.zip", 0644);
    file.write(zip);
    file.commit();
    return;
  }
  const format::ZipReader& reader = *opened;
  std::string hidden = ".";
  hidden.append(target.filename().string()).append(".result-XXXXXX");
  std::string pattern = (parent / hidden).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_system_error("cannot create a folder in " + parent.string());
  const fs::path staging = pattern;
  try {
    for (const auto& entry : reader.entries()) {
      const fs::path path = staging / entry.name;
      if (entry.directory) {
        fs::create_directories(path);
        continue;
      }
      fs::create_directories(path.parent_path());
      const Bytes content = reader.read_all(entry);
      AtomicFile file(path, 0644);
      file.write(content);
      file.commit();
    }
    ::chmod(staging.c_str(), 0755);
    if (fs::is_directory(target, ec)) fs::remove(target, ec);
    if (::rename(staging.c_str(), target.c_str()) != 0) throw_system_error("cannot create " + target.string());
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
}

Bytes seal_result_envelope(ByteView result_zip, const std::string& public_pem) {
  const crypto::SealedResult sealed = crypto::seal_result(result_zip, public_pem);
  Bytes out;
  BytesSink sink(out);
  format::ZipWriter zip(sink);
  zip.add_file(kEncryptedResultEntry, sealed.payload);
  zip.add_file(kEncryptedKeyEntry, sealed.encrypted_key);
  zip.finish();
  return out;
}

bool is_result_envelope(ByteView zip) {
  try {
    MemorySource source(Bytes(zip.begin(), zip.end()));
    const format::ZipReader reader(source, format::ZipCompression::StoredOrDeflated);
    return reader.find(kEncryptedKeyEntry) && reader.find(kEncryptedResultEntry);
  } catch (const Error&) {
    return false;
  }
}

Bytes open_result_envelope(ByteView envelope, const std::string& private_pem) {
  crypto::SealedResult sealed;
  try {
    MemorySource source(Bytes(envelope.begin(), envelope.end()));
    const format::ZipReader reader(source, format::ZipCompression::StoredOrDeflated);
    const auto* key = reader.find(kEncryptedKeyEntry);
    const auto* payload = reader.find(kEncryptedResultEntry);
    if (!key || !payload) throw Error(EBADMSG, "no aes-key.rsa and iexec_out.zip.aes in it");
    sealed.encrypted_key = reader.read_all(*key);
    sealed.payload = reader.read_all(*payload);
  } catch (const Error& e) {
    throw Error(EBADMSG, std::string("not an encrypted iExec result: ") + e.what());
  }
  return crypto::open_result(sealed, private_pem);
}

}  // namespace pfs::network
