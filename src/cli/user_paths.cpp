#include "cli/user_paths.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "protectedfs/util/error.hpp"

namespace pfs::cli {

std::filesystem::path data_directory() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "protectedfs";
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const passwd* pw = ::getpwuid(::getuid());
    if (!pw) throw Error(ENOENT, "cannot find the home directory: set HOME or XDG_DATA_HOME");
    home = pw->pw_dir;
  }
  return std::filesystem::path(home) / ".local" / "share" / "protectedfs";
}

std::filesystem::path default_wallet_path() { return data_directory() / "wallet.json"; }

}  // namespace pfs::cli
