// `protectedfs run DATASET --app APP [--args "…"] [--out DIR] [--max-price P] [limits] [--read-only PATH…]`: as a
// consumer, compute on a protected data through a grant. The network finds an open grant for (DATASET, APP, this
// wallet or anyone), pays its price, consumes one access and runs the app with iExec's layout; its $IEXEC_OUT lands
// in DIR. On the local network the app runs isolated, within limits (network/local/sandbox.hpp).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/consumer_context.hpp"
#include "protectedfs/core/rlc_amount.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {
namespace {

struct RunArgs {
  ConsumerContext context;
  std::string dataset;
  std::string app;
  std::string args;
  std::string out = "iexec_out";
  std::string max_price;
  network::AppLimits limits;
  std::vector<std::string> read_only;
};

void run(const RunArgs& a) {
  network::RunRequest request;
  request.dataset = crypto::Address::parse(a.dataset);
  request.app = crypto::Address::parse(a.app);
  request.args = a.args;
  request.out = a.out;
  if (!a.max_price.empty()) request.max_price = core::parse_nrlc(a.max_price);
  request.limits = a.limits;
  for (const auto& path : a.read_only) request.read_only.emplace_back(path);
  auto network = a.context.open_network();
  const auto key = a.context.unlock();
  const auto result = network->compute->run(key, request);
  std::cout << "result in " << request.out.string() << "\n"
            << "paid " << core::format_rlc(result.price) << " (" << result.price << " nRLC) for one access of grant "
            << to_hex0x(result.order_hash) << "\n"
            << "task " << result.task << std::endl;
}

}  // namespace

void add_run_command(CLI::App& app) {
  static RunArgs args;
  auto* command = app.add_subcommand("run", "Run an iApp on a protected data you were granted; get its result");
  command->add_option("DATASET", args.dataset, "the protected data's address")->required();
  command->add_option("--app", args.app, "the iApp's address (as the grant names it)")->required();
  command->add_option("--args", args.args, "the app's arguments (IEXEC_ARGS), split into words like a shell");
  command->add_option("--out", args.out, "folder for the result ($IEXEC_OUT); must not exist or be empty")
      ->capture_default_str();
  command->add_option("--max-price", args.max_price, "most you pay per access: nRLC, or e.g. 0.5RLC");
  // The local worker's limits (man/protectedfs.1, "iApp isolation"); the iExec profile's workers apply their own.
  auto limit = [&](const char* name, uint64_t& value, const char* what) {
    command->add_option(name, value, what)->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32))->capture_default_str();
  };
  limit("--timeout", args.limits.wall_seconds, "local network: wall-time limit of the app, in seconds");
  limit("--cpu-time", args.limits.cpu_seconds, "local network: CPU-time limit of the app (all its processes), s");
  limit("--memory", args.limits.memory_mib, "local network: memory limit of each of the app's processes, MiB");
  limit("--processes", args.limits.processes, "local network: most processes and threads the app has at once");
  limit("--output-size", args.limits.output_mib, "local network: limit of what the app writes (IEXEC_OUT, /tmp), MiB");
  command
      ->add_option("--read-only", args.read_only,
                   "local network: a host file or folder the app may also read (at the same path); repeatable")
      ->expected(1)
      ->allow_extra_args(false)
      ->check(CLI::ExistingPath);
  args.context.add_network_flag(command);
  args.context.add_wallet_flags(command, true);
  command->callback([] { run(args); });
}

}  // namespace pfs::cli
