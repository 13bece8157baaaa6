// `protectedfs run DATASET --app APP [--args "…"] [--out DIR] [--max-price P] [--encrypt-result] [limits]
// [--read-only PATH…]`: as a consumer, compute on a protected data through a grant. The network finds an open grant
// for (DATASET, APP, this wallet or anyone), pays its price, consumes one access and runs the app with iExec's
// layout; its $IEXEC_OUT lands in DIR. On the local network the app runs isolated, within limits
// (network/local/sandbox.hpp).
// `run --bulk --app APP [DATASET…] [--schema PATH:TYPE…] [--max-per-task N] [--out DIR]`: one bulk request over the
// data granted in bulk to this wallet (the listed ones, or every one matching the schema), one task per slice of at
// most N, one result folder per task under DIR.
// `protectedfs result TASK [--out DIR]`: a finished task's result fetched (and decrypted) again.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/consumer_context.hpp"
#include "cli/wallet_state.hpp"
#include "protectedfs/core/rlc_amount.hpp"
#include "protectedfs/crypto/result_cipher.hpp"
#include "protectedfs/network/task_result.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cli {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  ConsumerContext context;
  std::vector<std::string> datasets;
  std::string app;
  std::string args;
  std::string out = "iexec_out";
  std::string max_price;
  bool bulk = false;
  std::vector<std::string> schema;
  std::size_t max_per_task = 100;
  bool encrypt_result = false;
  network::AppLimits limits;
  std::vector<std::string> read_only;
};

// The wallet's result-encryption key pair (made once, kept sealed in its vault), its public key pushed to the
// network's secret service as the SDK's result.pushResultEncryptionKey does. Returns the private key (PEM).
std::string ensure_result_key(const ConsumerContext& context, network::Network& network,
                              const crypto::PrivateKey& key) {
  cache::WalletVault vault = open_wallet_vault(context.network, network, key);
  std::optional<std::string> private_pem = vault.result_key();
  if (!private_pem) {
    const crypto::RsaKeyPair pair = crypto::generate_result_key_pair();
    vault.put_result_key(pair.private_pem);
    private_pem = pair.private_pem;
  }
  network.secrets->push_result_key(key, crypto::public_key_of(*private_pem));
  return *private_pem;
}

// A stored result (Compute::result) into `out`: opened with the wallet's result key when it was encrypted.
void deliver_result(const Bytes& stored, const std::string& task, const fs::path& out,
                    const std::optional<std::string>& private_pem) {
  if (!network::is_result_envelope(stored)) {
    network::unzip_result(stored, out);
    return;
  }
  if (!private_pem) throw Error(ENOKEY, "the result of task " + task + " is encrypted and this wallet has no key");
  network::unzip_result(network::open_result_envelope(stored, *private_pem), out);
}

void run_single(const RunArgs& a) {
  if (a.datasets.size() != 1)
    throw Error(EINVAL, "run takes one DATASET (several only with --bulk), not " + std::to_string(a.datasets.size()));
  if (!a.schema.empty() || a.max_per_task != 100) throw Error(EINVAL, "--schema and --max-per-task go with --bulk");
  network::RunRequest request;
  request.dataset = crypto::Address::parse(a.datasets.front());
  request.app = crypto::Address::parse(a.app);
  request.args = a.args;
  request.out = a.out;
  request.encrypt_result = a.encrypt_result;
  if (!a.max_price.empty()) request.max_price = core::parse_nrlc(a.max_price);
  request.limits = a.limits;
  for (const auto& path : a.read_only) request.read_only.emplace_back(path);
  auto network = a.context.open_network();
  const auto key = a.context.unlock();
  std::optional<std::string> private_pem;
  if (a.encrypt_result) {
    network::check_result_folder(request.out);  // before the access is paid
    private_pem = ensure_result_key(a.context, *network, key);
  }
  const auto result = network->compute->run(key, request);
  std::string where = "result in " + request.out.string();
  if (!result.delivered) {
    where = "the task is matched and still running: `protectedfs result " + result.task + "` fetches its result" +
            (a.encrypt_result ? " (and decrypts it)" : "") + " once it completes";
  } else if (a.encrypt_result) {
    deliver_result(network->compute->result(result.task), result.task, request.out, private_pem);
    where += " (decrypted)";
  }
  std::cout << where << "\n"
            << "paid " << core::format_rlc(result.price) << " (" << result.price << " nRLC) for one access of grant "
            << to_hex0x(result.order_hash) << "\n"
            << "task " << result.task << std::endl;
}

void run_bulk(const RunArgs& a) {
  if (!a.max_price.empty()) throw Error(EINVAL, "bulk grants are free: --max-price does not go with --bulk");
  if (a.datasets.empty() && a.schema.empty())
    throw Error(EINVAL, "run --bulk needs the data: DATASET addresses or --schema PATH:TYPE");
  const crypto::Address app = crypto::Address::parse(a.app);
  std::vector<crypto::Address> datasets;
  for (const auto& d : a.datasets) datasets.push_back(crypto::Address::parse(d));
  auto network = a.context.open_network();
  if (!a.schema.empty()) {
    std::vector<std::string> required;
    for (const auto& field : a.schema) required.push_back(required_schema_field(field));
    for (const auto& record : network->registry->find_by_schema(required, std::nullopt))
      if (a.datasets.empty() || std::find(datasets.begin(), datasets.end(), record.address) == datasets.end())
        datasets.push_back(record.address);
  }
  const crypto::Address me = a.context.wallet_address();
  // Listed data must all be granted; data found by schema are those of them that are.
  const auto orders = network::gather_bulk_orders(*network->grants, datasets, app, me, !a.schema.empty());
  if (orders.empty()) throw Error(EACCES, "no data matching the schema is granted in bulk to " + me.to_string());
  const auto key = a.context.unlock();
  network::BulkRunRequest request;
  request.app = app;
  request.orders = orders;
  request.max_per_task = a.max_per_task;
  request.args = a.args;
  request.out = a.out;
  request.encrypt_result = a.encrypt_result;
  request.limits = a.limits;
  for (const auto& path : a.read_only) request.read_only.emplace_back(path);
  std::optional<std::string> private_pem;
  if (a.encrypt_result) private_pem = ensure_result_key(a.context, *network, key);
  network::slice_bulk_orders(orders, a.max_per_task);  // EINVAL before anything is done
  if (a.encrypt_result) {
    std::error_code ec;
    if (!fs::is_directory(request.out, ec)) network::check_result_folder(request.out);
  }
  const bool terminal = ::isatty(STDERR_FILENO);
  if (terminal) std::cerr << "processing " << orders.size() << " data in tasks of at most " << a.max_per_task << "…\n";
  const auto outcome = network->compute->run_bulk(key, request);
  std::size_t failed = 0;
  for (std::size_t i = 0; i < outcome.tasks.size(); ++i) {
    const auto& task = outcome.tasks[i];
    const fs::path folder = request.out / task.task;
    std::string error = task.error;
    bool delivered = outcome.delivered && !a.encrypt_result;
    if (error.empty() && outcome.delivered && a.encrypt_result) {
      try {
        if (!fs::is_directory(request.out)) fs::create_directory(request.out);
        deliver_result(network->compute->result(task.task), task.task, folder, private_pem);
        delivered = true;
      } catch (const Error& e) {
        error = e.what();
      }
    }
    std::error_code ec;
    delivered = delivered && fs::is_directory(folder, ec);
    std::cout << "task " << (i + 1) << "/" << outcome.tasks.size() << " " << task.task << " " << task.datasets.size()
              << " data: ";
    if (error.empty() && !delivered) {
      std::cout << "matched, still running (`protectedfs result " << task.task << "` fetches its result)\n";
    } else if (error.empty()) {
      std::cout << "result in " << folder.string() << "\n";
    } else {
      std::cout << "failed: " << error << "\n";
      ++failed;
    }
  }
  std::cout << "deal " << outcome.deal << ": " << orders.size() << " data in " << outcome.tasks.size() << " task"
            << (outcome.tasks.size() == 1 ? "" : "s") << ", bulk grants are free" << std::endl;
  if (failed)
    throw Error(EIO, std::to_string(failed) + " of " + std::to_string(outcome.tasks.size()) + " tasks failed");
}

struct ResultArgs {
  ConsumerContext context;
  std::string task;
  std::string out;
};

void run_result(const ResultArgs& a) {
  auto network = a.context.open_network();
  const fs::path out = a.out.empty() ? fs::path(a.task) : fs::path(a.out);
  const Bytes stored = network->compute->result(a.task);
  network::check_result_folder(out);
  std::optional<std::string> private_pem;
  if (network::is_result_envelope(stored)) {
    const auto key = a.context.unlock();
    private_pem = open_wallet_vault(a.context.network, *network, key).result_key();
  }
  deliver_result(stored, a.task, out, private_pem);
  std::cout << "result of task " << a.task << " in " << out.string() << std::endl;
}

struct ResultKeyArgs {
  ConsumerContext context;
  std::string export_file;
};

// The key pair made and pushed as a run --encrypt-result would; the private key exported for iExec's own tools.
void run_result_key(const ResultKeyArgs& a) {
  auto network = a.context.open_network();
  const auto key = a.context.unlock();
  const std::string private_pem = ensure_result_key(a.context, *network, key);
  std::cout << crypto::public_key_of(private_pem);
  if (a.export_file.empty()) return;
  AtomicFile file(a.export_file, 0600);
  file.write(as_bytes(private_pem));
  file.commit();
  std::cout << "private key written to " << a.export_file << std::endl;
}

}  // namespace

void add_run_command(CLI::App& app) {
  static RunArgs args;
  auto* command = app.add_subcommand("run", "Run an iApp on a protected data you were granted; get its result");
  command->add_option("DATASET", args.datasets, "the protected data's address (with --bulk: any number of them)");
  command->add_option("--app", args.app, "the iApp's address (as the grant names it)")->required();
  command->add_option("--args", args.args, "the app's arguments (IEXEC_ARGS), split into words like a shell");
  command
      ->add_option("--out", args.out,
                   "folder for the result ($IEXEC_OUT); must not exist or be empty (with --bulk: one folder per "
                   "task in it)")
      ->capture_default_str();
  command->add_option("--max-price", args.max_price, "most you pay per access: nRLC, or e.g. 0.5RLC");
  command->add_flag("--bulk", args.bulk, "one bulk request over data granted in bulk (grant value 'bulk')");
  command->add_option("--schema", args.schema, "with --bulk: every bulk-granted data with this field PATH:TYPE");
  command->add_option("--max-per-task", args.max_per_task, "with --bulk: data per task, 1 to 100")
      ->capture_default_str();
  command->add_flag("--encrypt-result", args.encrypt_result,
                    "encrypt the result for this wallet's RSA key (pushed to the secret service) and decrypt it here");
  // The local worker's limits (man/protectedfs.1, "iApp isolation"); the iExec profile's workers apply their own.
  auto limit = [&](const char* name, uint64_t& value, const char* what) {
    command->add_option(name, value, what)->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32))->capture_default_str();
  };
  limit("--timeout", args.limits.wall_seconds, "local network: wall-time limit of the app, in seconds");
  limit("--cpu-time", args.limits.cpu_seconds, "local network: CPU-time limit of the app (all its processes), s");
  limit("--memory", args.limits.memory_mib,
        "local network: memory limit of the app, MiB (its processes together; each one where no cgroup can be made)");
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
  command->callback([] { args.bulk ? run_bulk(args) : run_single(args); });

  static ResultArgs result_args;
  auto* result = app.add_subcommand("result", "Fetch (and decrypt) the result of a finished task again");
  result->add_option("TASK", result_args.task, "the task id (0x and 64 hex digits)")->required();
  result->add_option("--out", result_args.out, "folder for the result (default: the task id); absent or empty");
  result_args.context.add_network_flag(result);
  result_args.context.add_wallet_flags(result, true);
  result->callback([] { run_result(result_args); });

  static ResultKeyArgs key_args;
  auto* result_key = app.add_subcommand(
      "result-key",
      "Print the wallet's result-encryption public key (made and pushed to the secret service if needed)");
  result_key->add_option("--export", key_args.export_file,
                         "also write the private key (PEM, mode 0600) to this file, for iExec's tools");
  key_args.context.add_network_flag(result_key);
  key_args.context.add_wallet_flags(result_key, true);
  result_key->callback([] { run_result_key(key_args); });
}

}  // namespace pfs::cli
