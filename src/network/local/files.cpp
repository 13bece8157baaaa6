#include "network/local/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

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

bool link_if_absent(const std::filesystem::path& temporary, const std::filesystem::path& dir,
                    const std::string& name) {
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

void create_file_atomically(const std::filesystem::path& dir, const std::string& name, ByteView data, mode_t mode) {
  std::string pattern = (dir / ("." + name + ".partial-XXXXXX")).string();
  UniqueFd fd(::mkostemp(pattern.data(), O_CLOEXEC));
  if (!fd) throw_system_error("cannot create a temporary file in " + dir.string());
  const std::filesystem::path temporary = pattern;
  try {
    if (::fchmod(fd.get(), mode) != 0) throw_system_error("cannot set the mode of " + temporary.string());
    write_full(fd.get(), data, temporary.string());
    if (::fsync(fd.get()) != 0) throw_system_error("cannot flush " + temporary.string());
    if (!link_if_absent(temporary, dir, name)) throw Error(EEXIST, (dir / name).string() + " already exists");
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  ::unlink(temporary.c_str());
}

std::optional<std::string> read_whole_file(const std::filesystem::path& path) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_system_error("cannot open " + path.string());
  }
  UniqueFd fd(raw);
  std::string out;
  char buffer[16384];
  for (;;) {
    const std::size_t n = read_full(fd.get(), {reinterpret_cast<uint8_t*>(buffer), sizeof buffer});
    out.append(buffer, n);
    if (n < sizeof buffer) return out;
  }
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
