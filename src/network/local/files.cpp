#include "network/local/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "protectedfs/util/error.hpp"

namespace pfs::network::local {

FileLock::FileLock(int fd) : fd_(fd) {
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) throw_system_error("cannot lock the local network");
  }
}

FileLock::~FileLock() { ::flock(fd_, LOCK_UN); }

void fsync_directory(const std::filesystem::path& dir) {
  UniqueFd fd = open_file(dir, O_RDONLY | O_DIRECTORY);
  if (::fsync(fd.get()) != 0) throw_system_error("cannot flush directory " + dir.string());
}

bool link_if_absent(const std::filesystem::path& temporary, const std::filesystem::path& dir, const std::string& name) {
  const std::filesystem::path target = dir / name;
  // link(2), unlike rename(2), never replaces: the name appears with the complete file or not at all, and an
  // existing file (another writer's, or an identical content) is kept.
  if (::link(temporary.c_str(), target.c_str()) == 0) {
    fsync_directory(dir);
    return true;
  }
  if (errno == EEXIST) return false;
  throw_system_error("cannot create " + target.string());
}

namespace {

// A fsynced temporary sibling of dir/name holding `data`; removed by the caller.
std::filesystem::path write_temporary(const std::filesystem::path& dir, const std::string& name, ByteView data,
                                      mode_t mode) {
  std::string pattern = (dir / ("." + name + ".partial-XXXXXX")).string();
  UniqueFd fd(::mkostemp(pattern.data(), O_CLOEXEC));
  if (!fd) throw_system_error("cannot create a temporary file in " + dir.string());
  const std::filesystem::path temporary = pattern;
  try {
    if (::fchmod(fd.get(), mode) != 0) throw_system_error("cannot set the mode of " + temporary.string());
    write_full(fd.get(), data, temporary.string());
    if (::fsync(fd.get()) != 0) throw_system_error("cannot flush " + temporary.string());
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  return temporary;
}

}  // namespace

void replace_file_atomically(const std::filesystem::path& dir, const std::string& name, ByteView data, mode_t mode) {
  const auto temporary = write_temporary(dir, name, data, mode);
  if (::rename(temporary.c_str(), (dir / name).c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    errno = saved;
    throw_system_error("cannot replace " + (dir / name).string());
  }
  fsync_directory(dir);
}

std::vector<std::string> list_directory(const std::filesystem::path& dir) {
  DIR* stream = ::opendir(dir.c_str());
  if (stream == nullptr) throw_system_error("cannot list " + dir.string());
  std::vector<std::string> out;
  while (const dirent* entry = ::readdir(stream)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") out.emplace_back(name);
  }
  ::closedir(stream);
  return out;
}

void create_file_atomically(const std::filesystem::path& dir, const std::string& name, ByteView data, mode_t mode) {
  const auto temporary = write_temporary(dir, name, data, mode);
  try {
    if (!link_if_absent(temporary, dir, name)) throw Error(EEXIST, (dir / name).string() + " already exists");
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  ::unlink(temporary.c_str());
}

uint64_t unix_seconds() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void ensure_directory(const std::filesystem::path& dir, mode_t mode) {
  if (::mkdir(dir.c_str(), mode) == 0 || errno == EEXIST) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) throw_system_error("cannot stat " + dir.string());
    if (!S_ISDIR(st.st_mode)) throw Error(ENOTDIR, dir.string() + " is not a directory");
    return;
  }
  throw_system_error("cannot create directory " + dir.string());
}

}  // namespace pfs::network::local
