// protectedfs command line: the daemon (`protectedfs MOUNTPOINT`) and the commands. Every command reports a refusal as
// one line, "protectedfs: <why>", and exits 1; usage errors exit 2. An unexpected fault is reported the same way as an
// I/O error, never as a crash.
#include <cstring>
#include <iostream>

#include "cli/commands.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/quote.hpp"

int main(int argc, char** argv) {
  CLI::App app{"protectedfs: iExec protected data as a file system", "protectedfs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("protectedfs ") + PFS_VERSION);
  pfs::cli::add_pack_commands(app);
  pfs::cli::add_wallet_commands(app);
  pfs::cli::add_app_commands(app);
  pfs::cli::add_run_command(app);
  pfs::cli::add_find_command(app);
  pfs::cli::add_status_commands(app);
  pfs::cli::add_usage_commands(app);
  try {
    // `protectedfs MOUNTPOINT …` mounts: anything that is neither a subcommand nor a flag is a mount point.
    if (argc >= 2 && argv[1][0] != '-') {
      bool subcommand = false;
      for (const auto* command : app.get_subcommands({})) subcommand |= command->get_name() == argv[1];
      if (!subcommand) return pfs::cli::run_mount(std::vector<std::string>(argv + 1, argv + argc));
    }
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const pfs::Error& e) {
    std::cerr << "protectedfs: " << pfs::escape_controls(e.what()) << "\n";  // one refusal, one line
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "protectedfs: " << std::strerror(EIO) << ": " << pfs::escape_controls(e.what()) << "\n";
    return 1;
  }
}
