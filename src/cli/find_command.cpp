// `protectedfs find [--schema PATH:TYPE]... [--owner ADDR] [--json]`: the protected data of anyone on the network
// whose schema has every field asked for (the dataprotector's search: `email:string`, `smtp.port:f64`).
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/consumer_context.hpp"
#include "protectedfs/format/field_key.hpp"
#include "protectedfs/format/field_type.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::cli {
namespace {

struct FindArgs {
  ConsumerContext context;
  std::vector<std::string> schema;
  std::string owner;
  bool json = false;
};

nlohmann::ordered_json to_json(const network::DatasetRecord& record) {
  nlohmann::ordered_json out;
  out["address"] = record.address.to_string();
  out["owner"] = record.owner.to_string();
  out["name"] = record.name;
  auto schema = nlohmann::ordered_json::parse(record.schema, nullptr, false);
  out["schema"] = schema.is_discarded() ? nlohmann::ordered_json(record.schema) : schema;
  out["checksum"] = to_hex0x(record.checksum);
  out["created"] = record.created;
  out["tx"] = record.tx;
  return out;
}

void run_find(const FindArgs& args) {
  std::vector<std::string> required;
  for (const auto& field : args.schema) required.push_back(required_schema_field(field));
  std::optional<crypto::Address> owner;
  if (!args.owner.empty()) owner = crypto::Address::parse(args.owner);
  auto net = args.context.open_existing_network();
  const auto found = net ? net->registry->find_by_schema(required, owner) : std::vector<network::DatasetRecord>{};
  if (args.json) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& record : found) list.push_back(to_json(record));
    std::cout << list.dump(2) << std::endl;
    return;
  }
  // One line each: address, owner, name as a JSON string (it may hold spaces or anything), compact schema.
  for (const auto& record : found)
    std::cout << record.address.to_string() << " " << record.owner.to_string() << " "
              << nlohmann::json(record.name).dump() << " " << record.schema << "\n";
  std::cout.flush();
}

}  // namespace

// "smtp.port:f64" checked and normalized: every path component a field key, the type one the schema knows.
std::string required_schema_field(const std::string& text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos) throw Error(EINVAL, "--schema '" + text + "' is not PATH:TYPE (like email:string)");
  const std::string path = text.substr(0, colon);
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t dot = std::min(path.find('.', start), path.size());
    if (!format::is_valid_key(std::string_view(path).substr(start, dot - start)))
      throw Error(EINVAL, "--schema '" + text + "': '" + path + "' is not a dot path of field keys ([A-Za-z0-9_-])");
    start = dot + 1;
  }
  try {
    return path + ":" + std::string(format::to_string(format::parse_field_type(text.substr(colon + 1))));
  } catch (const Error& e) {
    throw Error(EINVAL, "--schema '" + text + "': " + e.what());
  }
}

void add_find_command(CLI::App& app) {
  static FindArgs args;
  auto* command = app.add_subcommand("find", "List the protected data (anyone's) that have the fields asked for");
  command->add_option("--schema", args.schema, "a required field PATH:TYPE (repeat for several; none: every one)");
  command->add_option("--owner", args.owner, "only this owner's");
  command->add_flag("--json", args.json, "print a JSON list");
  args.context.add_network_flag(command);
  command->callback([] { run_find(args); });
}

}  // namespace pfs::cli
