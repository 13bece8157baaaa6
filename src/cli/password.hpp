// The wallet password, from (in order) --password-file, $PROTECTEDFS_PASSWORD, or a prompt on the terminal.
#pragma once
#include <optional>
#include <string>

namespace pfs::cli {

struct PasswordSource {
  std::optional<std::string> file;   // --password-file
  std::optional<std::string> typed;  // already asked on the terminal (the daemon asks before detaching)
};

// `confirm` asks twice on a terminal (for a new wallet). Without any source and without a terminal: EINVAL.
std::string read_password(const PasswordSource& source, const std::string& prompt, bool confirm = false);

}  // namespace pfs::cli
