#include "network/local/content_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "protectedfs/format/cid.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network::local {
namespace {

void check_cid(const std::string& cid) {
  if (!format::is_cid_v0(cid)) throw Error(EINVAL, "not a CIDv0: \"" + cid + "\"");
}

class LocalUpload final : public ContentStore::Upload {
 public:
  explicit LocalUpload(std::shared_ptr<Directory> dir) : dir_(std::move(dir)) {
    std::string pattern = (dir_->content() / ".upload-XXXXXX").string();
    // Created and locked under the write lock, so that recovery (which holds it) never sees a live upload unlocked.
    Directory::WriteGuard guard(*dir_);
    fd_.reset(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd_) throw_system_error("cannot create an upload in " + dir_->content().string());
    temporary_ = pattern;
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
      ::unlink(temporary_.c_str());
      throw_system_error("cannot lock upload " + temporary_.string());
    }
    writer_.emplace(fd_.get(), temporary_.string());
  }

  ~LocalUpload() override {
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
  }

  LocalUpload(const LocalUpload&) = delete;
  LocalUpload& operator=(const LocalUpload&) = delete;

  void finish() {
    writer_->finish();  // the unaligned tail; after a failure (a full disk) every later call fails
    finished_ = true;
  }

  void write(ByteView data) override {
    if (committed_ || finished_) throw Error(EINVAL, "write to an upload already committed");
    writer_->write(data);
  }

  // Hashes the stored bytes, read back: only callers that did not compute the CID themselves pay this pass.
  std::string commit() override {
    if (committed_) throw Error(EINVAL, "upload already committed");
    if (!finished_) finish();
    if (cid_text_.empty()) {
      format::CidBuilder builder;
      Bytes buffer(1 << 20);
      struct stat st {};
      if (::fstat(fd_.get(), &st) != 0) throw_system_error("cannot stat " + temporary_.string());
      for (uint64_t at = 0, size = static_cast<uint64_t>(st.st_size); at < size;) {
        const auto n = static_cast<std::size_t>(std::min<uint64_t>(size - at, buffer.size()));
        pread_full(fd_.get(), {buffer.data(), n}, at, temporary_.string());
        builder.update({buffer.data(), n});
        at += n;
      }
      cid_text_ = builder.finish().cid;
    }
    return commit_as(cid_text_);
  }

  std::string commit_as(const std::string& cid) override {
    if (committed_) throw Error(EINVAL, "upload already committed");
    check_cid(cid);
    if (!finished_) finish();
    // Stored content never changes: read-only, so that an accidental write fails instead of breaking its CID.
    if (::fchmod(fd_.get(), 0444) != 0) throw_system_error("cannot set the mode of " + temporary_.string());
    if (::fsync(fd_.get()) != 0) throw_system_error("cannot flush " + temporary_.string());
    // If the CID is already stored the bytes are the same: the existing file is kept (readers may hold it open).
    link_if_absent(temporary_, dir_->content(), cid);
    ::unlink(temporary_.c_str());
    temporary_.clear();
    fd_.reset();
    committed_ = true;
    return cid;
  }

 private:
  std::shared_ptr<Directory> dir_;
  UniqueFd fd_;
  std::filesystem::path temporary_;
  std::optional<DirectWriter> writer_;
  std::string cid_text_;  // computed once: a commit retried after a failed link reads nothing back again
  bool finished_ = false;
  bool committed_ = false;
};

}  // namespace

std::unique_ptr<ContentStore::Upload> LocalContentStore::begin_upload() { return std::make_unique<LocalUpload>(dir_); }

bool LocalContentStore::has(const std::string& cid) {
  check_cid(cid);
  struct stat st {};
  if (::stat((dir_->content() / cid).c_str(), &st) == 0) return S_ISREG(st.st_mode);
  if (errno == ENOENT) return false;
  throw_system_error("cannot look for content " + cid);
}

std::shared_ptr<const RandomAccessSource> LocalContentStore::open(const std::string& cid) {
  check_cid(cid);
  try {
    return std::make_shared<FileSource>(dir_->content() / cid);
  } catch (const Error& e) {
    if (e.code() == ENOENT) throw Error(ENOENT, "content " + cid + " is not in the local network");
    throw;
  }
}

void LocalContentStore::remove(const std::string& cid) {
  check_cid(cid);
  if (::unlink((dir_->content() / cid).c_str()) != 0 && errno != ENOENT)
    throw_system_error("cannot remove content " + cid);
}

}  // namespace pfs::network::local
