#include "network/local/directory.hpp"

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
  auto names = list_directory(dir);
  std::erase_if(names, [](const std::string& name) { return !is_temporary_name(name); });
  return names;
}

}  // namespace

Directory::Directory(std::filesystem::path root) : root_(std::move(root)) {
  // Made private when protectedfs creates it (whatever the umask); an existing local:DIR keeps the modes it has.
  std::error_code ec;
  if (!std::filesystem::exists(root_, ec)) create_private_directories(root_);
  ensure_directory(content(), 0755);
  ensure_directory(registry(), 0755);
  // The secrets stand for what only the TEE may read: nobody but this user.
  ensure_directory(secrets(), 0700);
  ensure_directory(grants(), 0755);
  ensure_directory(tasks(), 0755);
  ensure_directory(results(), 0755);
  ensure_directory(accounts(), 0755);
  ensure_directory(apps(), 0755);
  lock_fd_ = open_file(root_ / "LOCK", O_RDWR | O_CREAT, 0644);
  recover();
}

void Directory::recover() {
  WriteGuard guard(*this);
  for (const auto& dir : {registry(), secrets(), grants(), tasks(), results()})
    for (const auto& name : temporary_names(dir)) ::unlink((dir / name).c_str());
  for (const auto& name : temporary_names(apps())) {
    std::error_code ignored;  // a half-copied app folder
    std::filesystem::remove_all(apps() / name, ignored);
  }
  for (const auto& name : list_directory(accounts())) {
    std::error_code ec;
    if (is_temporary_name(name) || !std::filesystem::is_directory(accounts() / name, ec)) continue;
    for (const auto& deposit : temporary_names(accounts() / name)) ::unlink((accounts() / name / deposit).c_str());
  }
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
