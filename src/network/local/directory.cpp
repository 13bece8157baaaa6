#include "network/local/directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

std::vector<std::string> temporary_names(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  DIR* stream = ::opendir(dir.c_str());
  if (stream == nullptr) throw_system_error("cannot list " + dir.string());
  while (const dirent* entry = ::readdir(stream)) {
    const std::string name = entry->d_name;
    if (name != "." && name != ".." && is_temporary_name(name)) out.push_back(name);
  }
  ::closedir(stream);
  return out;
}

}  // namespace

Directory::Directory(std::filesystem::path root) : root_(std::move(root)) {
  std::error_code ec;
  std::filesystem::create_directories(root_, ec);
  if (ec) throw Error(ec.value(), "cannot create the local network directory " + root_.string() + ": " + ec.message());
  ensure_directory(content(), 0755);
  ensure_directory(registry(), 0755);
  // The secrets stand for what only the TEE may read: nobody but this user.
  ensure_directory(secrets(), 0700);
  lock_fd_ = open_file(root_ / "LOCK", O_RDWR | O_CREAT, 0644);
  recover();
}

void Directory::recover() {
  WriteGuard guard(*this);
  for (const auto& dir : {registry(), secrets()})
    for (const auto& name : temporary_names(dir)) ::unlink((dir / name).c_str());
  for (const auto& name : temporary_names(content())) {
    const auto path = content() / name;
    int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (raw < 0) continue;  // gone meanwhile (its upload committed or was abandoned)
    UniqueFd fd(raw);
    // Uploads create and lock their file under the write lock we hold, so an unlocked one has no live writer.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) ::unlink(path.c_str());
  }
}

}  // namespace pfs::network::local
