// `protectedfs app register EXECUTABLE [--name N]` (local network): registers an iApp and prints its address, which
// derives from the executable's content (the same file registered again gives the same address).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/consumer_context.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {
namespace {

struct AppArgs {
  ConsumerContext context;
  std::string executable;
  std::string name;
};

void run_register(const AppArgs& args) {
  auto network = args.context.open_network();
  const auto key = args.context.unlock();
  const auto app = network->compute->register_app(key, args.executable, args.name);
  // The address alone, for scripts: app=$(protectedfs app register ./my-app)
  std::cout << app.address.to_string() << std::endl;
}

}  // namespace

void add_app_commands(CLI::App& app) {
  static AppArgs args;
  auto* group = app.add_subcommand("app", "iApps on the local network");
  group->require_subcommand(1);
  auto* registration = group->add_subcommand("register", "Register an executable as an iApp; prints its address");
  registration->add_option("EXECUTABLE", args.executable, "the program: it runs with IEXEC_IN, IEXEC_OUT, …")
      ->required();
  registration->add_option("--name", args.name, "the app's name (default: the file's name)");
  args.context.add_network_flag(registration);
  args.context.add_wallet_flags(registration, true);
  registration->callback([] { run_register(args); });
}

}  // namespace pfs::cli
