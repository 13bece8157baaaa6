// `protectedfs usage [TARGET] [--json]`: accesses consumed, remaining and earnings per grant, and totals per
// protected data across its versions (SPEC.md §1). TARGET is a protected-data folder or a mount (the daemon's
// user.protected.usage, answered from its cache; default: the only mount), or a dataset address: then the network's
// grant book answers, for anyone (the owner, or a consumer checking what was used).
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/consumer_context.hpp"
#include "cli/mount_client.hpp"
#include "protectedfs/core/grants.hpp"
#include "protectedfs/core/rlc_amount.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string shorten(const std::string& address) {
  return address.size() == 42 ? address.substr(0, 8) + "…" + address.substr(38) : address;
}

// Characters as a terminal shows them: UTF-8 continuation bytes take no column ("…" is 3 bytes, 1 column).
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Rows of cells in columns as wide as their widest cell, two spaces apart; numeric columns aligned right.
void print_columns(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right_aligned) {
  std::vector<std::size_t> widths(right_aligned.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string padding(widths[i] - display_width(row[i]), ' ');
      if (i > 0) line += "  ";
      line += right_aligned[i] ? padding + row[i] : row[i] + (i + 1 < row.size() ? padding : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  }
  std::cout.flush();
}

void print_table(const json& usage_by_data) {
  std::vector<std::vector<std::string>> rows{{"DATA", "USER", "APP", "CONSUMED", "REMAINING", "EARNINGS", ""}};
  uint64_t consumed = 0, earnings = 0;
  for (const auto& [name, usage] : usage_by_data.items()) {
    for (const auto& g : usage.at("grants")) {
      const uint64_t remaining = g.at("remaining");
      // The last column's marks, space-separated: "(revoked)", "(bulk)", both or none.
      std::string marks = g.value("open", false) ? "" : "(revoked)";
      if (g.value("bulk", false)) marks += marks.empty() ? "(bulk)" : " (bulk)";
      rows.push_back({name, shorten(g.at("user")), shorten(g.at("app")),
                      std::to_string(g.at("consumed").get<uint64_t>()),
                      remaining >= (uint64_t{1} << 53) - 1 ? "unlimited" : std::to_string(remaining),
                      core::format_rlc(g.at("earnings")), marks});
    }
    consumed += usage.at("total").at("consumed").get<uint64_t>();
    earnings += usage.at("total").at("earnings").get<uint64_t>();
  }
  rows.push_back({"total", "", "", std::to_string(consumed), "", core::format_rlc(earnings), ""});
  print_columns(rows, {false, false, false, true, true, true, false});
}

// The same JSON as user.protected.usage, from the grant book's orders of one dataset.
json usage_from_network(const ConsumerContext& context, const crypto::Address& dataset) {
  auto network = context.open_existing_network();
  if (!network || !network->registry->find(dataset))
    throw Error(ENOENT, "no dataset " + dataset.to_string() + " on this network");
  json grants = json::array();
  uint64_t consumed = 0, earnings = 0;
  for (const auto& state : network->grants->orders(dataset)) {
    const auto& o = state.order.order;
    const uint64_t price = o.datasetprice.fits_uint64() ? o.datasetprice.to_uint64() : UINT64_MAX;
    const uint64_t earned = state.uses * price;
    grants.push_back({{"user", o.requesterrestrict.is_zero() ? "any" : o.requesterrestrict.to_string()},
                      {"app", o.apprestrict.to_string()},
                      {"consumed", state.uses},
                      {"remaining", state.remaining()},
                      {"earnings", earned},
                      {"bulk", price == 0 && o.volume.fits_uint64() && o.volume.to_uint64() == core::kUnlimitedVolume},
                      {"open", !state.closed && state.remaining() > 0},
                      {"orderHash", to_hex0x(state.order.hash)}});
    consumed += state.uses;
    earnings += earned;
  }
  return {{"grants", grants}, {"total", {{"consumed", consumed}, {"earnings", earnings}}}, {"unit", "nRLC"}};
}

void run_usage(const std::string& target, bool as_json, const ConsumerContext& context) {
  json by_data = json::object();
  if (target.rfind("0x", 0) == 0 && !fs::exists(target)) {
    const crypto::Address dataset = crypto::Address::parse(target);
    by_data[dataset.to_string()] = usage_from_network(context, dataset);
    if (as_json) std::cout << by_data.dump(2) << std::endl;
    else print_table(by_data);
    return;
  }
  const fs::path mount = target.empty() ? resolve_mount("") : mount_of(target);
  if (mount.empty()) throw Error(EINVAL, target + " is neither a protectedfs mount nor a folder in one");
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
    if (folder.parent_path() != mount)
      throw Error(EINVAL, target + " is not a protected-data folder (one level below " + mount.string() + ")");
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
  static ConsumerContext context;
  auto* usage = app.add_subcommand("usage", "Accesses consumed, remaining and earnings per grant");
  usage->add_option("TARGET", target,
                    "a protected-data folder, a mount (default: the only protectedfs mount) or a dataset address");
  usage->add_flag("--json", as_json, "print JSON instead of a table");
  context.add_network_flag(usage);
  usage->callback([] { run_usage(target, as_json, context); });
}

}  // namespace pfs::cli
