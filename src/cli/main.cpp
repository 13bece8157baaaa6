// protectedfs command line. Every command reports a refusal as one line, "protectedfs: <why>", and exits 1;
// usage errors exit 2. An unexpected fault is reported the same way as an I/O error, never as a crash.
#include <cstring>
#include <iostream>

#include "cli/commands.hpp"
#include "protectedfs/util/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"protectedfs: iExec protected data as a file system", "protectedfs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("protectedfs ") + PFS_VERSION);
  pfs::cli::add_pack_commands(app);
  pfs::cli::add_wallet_commands(app);
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const pfs::Error& e) {
    std::cerr << "protectedfs: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "protectedfs: " << std::strerror(EIO) << ": " << e.what() << "\n";
    return 1;
  }
}
