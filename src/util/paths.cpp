#include "protectedfs/util/paths.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "protectedfs/util/error.hpp"

namespace pfs {
namespace {

// $VAR, else $HOME/<fallback>; ENOENT when neither it nor a home directory can be found.
std::filesystem::path xdg_directory(const char* variable, const char* fallback) {
  if (const char* value = std::getenv(variable); value && *value) return value;
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const passwd* pw = ::getpwuid(::getuid());
    if (!pw) throw Error(ENOENT, std::string("cannot find the home directory: set HOME or ") + variable);
    home = pw->pw_dir;
  }
  return std::filesystem::path(home) / fallback;
}

}  // namespace

std::filesystem::path user_data_directory() { return xdg_directory("XDG_DATA_HOME", ".local/share") / "protectedfs"; }

std::filesystem::path user_config_directory() { return xdg_directory("XDG_CONFIG_HOME", ".config") / "protectedfs"; }

}  // namespace pfs
