// The store: naming, creating, opening (with crash recovery), removing and listing staged files.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "file_state.hpp"
#include "header.hpp"
#include "protectedfs/staging/staging_store.hpp"
#include "protectedfs/util/error.hpp"
#include "spare_files.hpp"
#include "write_behind.hpp"

namespace pfs::staging {

using namespace format;

namespace {

constexpr std::string_view kSuffix = ".stg";
constexpr std::string_view kTemporarySuffix = ".stg.tmp";

std::string hex_id(uint64_t id) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
  return text;
}

// `name` is 16 lowercase hex digits + suffix.
bool parse_name(const std::string& name, std::string_view suffix, uint64_t& id) {
  if (name.size() != 16 + suffix.size() || name.compare(16, std::string::npos, suffix) != 0) return false;
  id = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    const char c = name[i];
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    id = (id << 4) | static_cast<uint64_t>(digit);
  }
  return true;
}

}  // namespace

StagingStore::StagingStore(std::filesystem::path dir, MasterKey key)
    : dir_(std::move(dir)), key_(std::move(key)), spares_(std::make_unique<detail::SpareFiles>(dir_)) {
  preferred_algorithm();             // initialises libsodium
  create_private_directories(dir_);  // 0700 whatever the umask, even if an older version made it otherwise
  lock_fd_ = open_file(dir_ / ".lock", O_RDWR | O_CREAT, 0600);
  if (::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) throw Error(EBUSY, "staging directory " + dir_.string() + " is in use by another store");
    throw_system_error("cannot lock staging directory " + dir_.string());
  }
  for (const std::string& name : names()) {
    uint64_t id = 0;
    if (parse_name(name, kTemporarySuffix, id)) ::unlink((dir_ / name).c_str());
  }
}

std::vector<std::string> StagingStore::names() const {
  std::error_code ec;
  std::vector<std::string> out;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec))
    out.push_back(it->path().filename().string());
  if (ec) throw Error(ec.value(), "cannot list staging directory " + dir_.string() + ": " + ec.message());
  return out;
}

StagingStore::~StagingStore() {
  // Writes behind that returned land before the store's lock on the directory goes (another store may take it).
  detail::WriteBehind::instance().drain_all();
}

std::filesystem::path StagingStore::path_of(uint64_t id) const { return dir_ / (hex_id(id) + std::string(kSuffix)); }

std::shared_ptr<detail::FileState> StagingStore::load(uint64_t id, UniqueFd fd) {
  std::array<uint8_t, kHeaderSize> header_bytes;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_system_error("cannot stat staged file " + std::to_string(id));
  if (static_cast<uint64_t>(st.st_size) < kHeaderSize)
    throw Error(EIO, "staged file " + std::to_string(id) + " has a torn header");
  pread_full(fd.get(), header_bytes, 0, "staged file " + std::to_string(id));
  Header header = check_header(key_, id, header_bytes);
  auto state = std::make_shared<detail::FileState>(id, std::move(fd), header.algorithm, header.file_key, dir_);
  wipe(header.file_key);
  {
    WriterLock lock(state->lock);  // no other thread sees the state yet; taken so that the analysis checks it
    state->size = detail::recover_size(*state);
  }
  return state;
}

StagedFile StagingStore::create(uint64_t id) {
  MutexLock lock(mutex_);
  const std::filesystem::path path = path_of(id);
  std::array<uint8_t, kHeaderSize> header_bytes;
  Header header = make_header(key_, id, header_bytes);
  UniqueFd fd;
  try {
    fd = spares_->take();
    if (fd) {
      // Named once its header is in, so a crash never leaves a file without one; link() fails on an existing name.
      write_full(fd.get(), header_bytes, path.string());
      try {
        detail::SpareFiles::link(fd.get(), path);
      } catch (const Error& e) {
        if (e.code() == EEXIST) throw Error(EEXIST, "staged file " + std::to_string(id) + " already exists");
        // /proc/self/fd unusable here (hidepid, another /proc): named temporaries from now on.
        if (e.code() != ENOENT && e.code() != EACCES && e.code() != EPERM) throw;
        spares_->disable();
        fd = create_named(id, path, header_bytes);
      }
    } else {
      fd = create_named(id, path, header_bytes);
    }
  } catch (...) {
    wipe(header.file_key);
    throw;
  }
  auto state = std::make_shared<detail::FileState>(id, std::move(fd), header.algorithm, header.file_key, dir_);
  wipe(header.file_key);
  open_[id] = state;
  return StagedFile(std::move(state));
}

UniqueFd StagingStore::create_named(uint64_t id, const std::filesystem::path& path, ByteView header_bytes) {
  if (::access(path.c_str(), F_OK) == 0) throw Error(EEXIST, "staged file " + std::to_string(id) + " already exists");
  // Written under a temporary name and renamed, so a crash never leaves a file without its header.
  const std::filesystem::path temporary = dir_ / (hex_id(id) + std::string(kTemporarySuffix));
  UniqueFd fd = open_file(temporary, O_RDWR | O_CREAT | O_TRUNC, 0600);
  try {
    write_full(fd.get(), header_bytes, temporary.string());
    if (::rename(temporary.c_str(), path.c_str()) != 0) throw_system_error("cannot create " + path.string());
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  return fd;
}

StagedFile StagingStore::open(uint64_t id) {
  MutexLock lock(mutex_);
  if (auto it = open_.find(id); it != open_.end()) {
    if (auto state = it->second.lock()) return StagedFile(std::move(state));
    open_.erase(it);
  }
  const std::filesystem::path path = path_of(id);
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw Error(ENOENT, "staged file " + std::to_string(id) + " does not exist");
    throw_system_error("cannot open staged file " + std::to_string(id));
  }
  auto state = load(id, UniqueFd(fd));
  state->dir_synced.store(true);  // it was found in the directory, so its entry is there (sync_directory() aside)
  open_[id] = state;
  return StagedFile(std::move(state));
}

void StagingStore::settle(uint64_t id) {
  std::shared_ptr<detail::FileState> state;
  {
    MutexLock lock(mutex_);
    if (auto it = open_.find(id); it != open_.end()) state = it->second.lock();
  }
  if (!state) return;  // a run holds its file: none is queued for a file no one holds
  detail::settle(*state);
}

bool StagingStore::exists(uint64_t id) const { return ::access(path_of(id).c_str(), F_OK) == 0; }

void StagingStore::remove(uint64_t id) {
  MutexLock lock(mutex_);
  if (::unlink(path_of(id).c_str()) != 0) {
    if (errno == ENOENT) throw Error(ENOENT, "staged file " + std::to_string(id) + " does not exist");
    throw_system_error("cannot remove staged file " + std::to_string(id));
  }
  open_.erase(id);
}

std::vector<uint64_t> StagingStore::list() const {
  std::vector<uint64_t> ids;
  for (const std::string& name : names()) {
    uint64_t id = 0;
    if (parse_name(name, kSuffix, id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void StagingStore::sync_directory() const {
  UniqueFd dir = open_file(dir_, O_RDONLY | O_DIRECTORY);
  if (::fsync(dir.get()) != 0) throw_system_error("cannot sync staging directory " + dir_.string());
}

}  // namespace pfs::staging
