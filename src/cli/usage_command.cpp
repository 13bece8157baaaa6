// `protectedfs usage [TARGET] [--json]`: accesses consumed, remaining and earnings per grant, and totals per
// protected data across its versions (SPEC.md §1). TARGET is a protected-data folder or a mount (the daemon's
// user.protected.usage, answered from its cache), default the only mount.
#include <unistd.h>

#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/mount_client.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string rlc(uint64_t nrlc) {
  std::ostringstream out;
  out << nrlc / 1000000000 << '.' << std::setw(9) << std::setfill('0') << nrlc % 1000000000;
  std::string text = out.str();
  while (text.back() == '0' && text[text.size() - 2] != '.') text.pop_back();
  return text + " RLC";
}

std::string shorten(const std::string& address) {
  return address.size() == 42 ? address.substr(0, 8) + "…" + address.substr(38) : address;
}

void print_table(const json& usage_by_data) {
  std::cout << std::left << std::setw(20) << "DATA" << std::setw(14) << "USER" << std::setw(14) << "APP" << std::right
            << std::setw(10) << "CONSUMED" << std::setw(11) << "REMAINING" << std::setw(18) << "EARNINGS" << "\n";
  uint64_t consumed = 0, earnings = 0;
  for (const auto& [name, usage] : usage_by_data.items()) {
    for (const auto& g : usage.at("grants")) {
      const uint64_t remaining = g.at("remaining");
      std::cout << std::left << std::setw(20) << name << std::setw(14) << shorten(g.at("user")) << std::setw(14)
                << shorten(g.at("app")) << std::right << std::setw(10) << g.at("consumed").get<uint64_t>()
                << std::setw(11) << (remaining >= (uint64_t{1} << 53) - 1 ? "unlimited" : std::to_string(remaining))
                << std::setw(18) << rlc(g.at("earnings")) << (g.value("open", false) ? "" : "  (revoked)") << "\n";
    }
    consumed += usage.at("total").at("consumed").get<uint64_t>();
    earnings += usage.at("total").at("earnings").get<uint64_t>();
  }
  std::cout << std::left << std::setw(48) << "total" << std::right << std::setw(10) << consumed << std::setw(11) << ""
            << std::setw(18) << rlc(earnings) << std::endl;
}

void run_usage(const std::string& target, bool as_json) {
  json by_data = json::object();
  const fs::path mount = target.empty() ? resolve_mount("") : mount_of(target);
  if (mount.empty()) throw Error(EINVAL, target + " is neither a protectedfs mount nor a folder in one");
  if (!target.empty() && fs::equivalent(mount, target)) {
    by_data = json::object();
  }
  if (target.empty() || fs::equivalent(mount, target)) {
    for (const auto& entry : fs::directory_iterator(mount)) {
      try {
        by_data[entry.path().filename().string()] = json::parse(read_attribute(entry.path(), "user.protected.usage"));
      } catch (const Error&) {
        // not a protected data (gone meanwhile)
      }
    }
  } else {
    const fs::path folder = fs::weakly_canonical(fs::absolute(target));
    if (folder.parent_path() != mount) throw Error(EINVAL, target + " is not a protected-data folder (one level below " + mount.string() + ")");
    by_data[folder.filename().string()] = json::parse(read_attribute(folder, "user.protected.usage"));
  }
  if (as_json) {
    std::cout << by_data.dump(2) << std::endl;
    return;
  }
  print_table(by_data);
}

}  // namespace

void add_usage_commands(CLI::App& app) {
  static std::string target;
  static bool as_json = false;
  auto* usage = app.add_subcommand("usage", "Accesses consumed, remaining and earnings per grant");
  usage->add_option("TARGET", target, "a protected-data folder or a mount (default: the only protectedfs mount)");
  usage->add_flag("--json", as_json, "print JSON instead of a table");
  usage->callback([] { run_usage(target, as_json); });
}

}  // namespace pfs::cli
