#include "network/local/record.hpp"

#include <nlohmann/json.hpp>

#include "network/local/files.hpp"
#include "protectedfs/format/utf8.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {

std::string record_file_name(const crypto::Address& dataset) { return dataset.to_lowercase() + ".json"; }

bool is_record_file_name(std::string_view name) {
  if (name.size() != 2 + 40 + 5 || !name.starts_with("0x") || !name.ends_with(".json")) return false;
  for (char c : name.substr(2, 40))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string encode_record(const StoredRecord& stored) {
  const DatasetRecord& r = stored.record;
  if (!format::Utf8Validator::valid(as_bytes(r.name))) throw Error(EINVAL, "dataset name is not valid UTF-8");
  if (!format::Utf8Validator::valid(as_bytes(r.schema))) throw Error(EINVAL, "dataset schema is not valid UTF-8");
  nlohmann::ordered_json json;
  json["address"] = r.address.to_lowercase();
  json["owner"] = r.owner.to_lowercase();
  json["name"] = r.name;
  json["multiaddr"] = to_hex0x(r.multiaddr);
  json["checksum"] = to_hex0x(r.checksum);
  json["schema"] = r.schema;
  json["created"] = r.created;
  json["sequence"] = stored.sequence;
  json["tx"] = r.tx;
  return json.dump() + "\n";
}

std::optional<StoredRecord> decode_record(std::string_view text) {
  try {
    const auto json = nlohmann::json::parse(text);
    StoredRecord out;
    DatasetRecord& r = out.record;
    r.address = crypto::Address::parse(json.at("address").get<std::string>());
    r.owner = crypto::Address::parse(json.at("owner").get<std::string>());
    r.name = json.at("name").get<std::string>();
    r.multiaddr = from_hex(json.at("multiaddr").get<std::string>());
    r.checksum = from_hex_fixed<32>(json.at("checksum").get<std::string>());
    r.schema = json.at("schema").get<std::string>();
    r.created = json.at("created").get<uint64_t>();
    r.tx = json.at("tx").get<std::string>();
    out.sequence = json.at("sequence").get<uint64_t>();
    return out;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::optional<StoredRecord> load_record(const std::filesystem::path& registry_dir, const crypto::Address& dataset) {
  const auto path = registry_dir / record_file_name(dataset);
  auto text = read_whole_file(path);
  if (!text) return std::nullopt;
  auto stored = decode_record(*text);
  // Records appear whole (link of a fsynced file), so a damaged one was damaged from outside: say so.
  if (!stored || stored->record.address != dataset) throw Error(EIO, "damaged dataset record " + path.string());
  return stored;
}

}  // namespace pfs::network::local
