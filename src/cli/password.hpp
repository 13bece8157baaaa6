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

// $PROTECTEDFS_PASSWORD taken out of the process: removed from the environment and its bytes wiped where the kernel
// shows them (/proc/PID/environ reads the original block, which unsetenv alone leaves as it was), so a long-running
// daemon does not keep the wallet's password where any process of the user can read it. nullopt when not set.
std::optional<std::string> take_password_from_environment();

}  // namespace pfs::cli
