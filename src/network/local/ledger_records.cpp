#include "network/local/ledger_records.hpp"

#include <nlohmann/json.hpp>

#include "network/local/address.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

using nlohmann::json;

crypto::Address address_at(const json& object, const char* key) {
  return crypto::Address::parse(object.at(key).get<std::string>());
}

Hash32 hash_at(const json& object, const char* key) { return from_hex_fixed<32>(object.at(key).get<std::string>()); }

// Runs a decoder, turning every kind of malformed input into nullopt.
template <typename Decode>
auto tolerant(Decode&& decode) -> std::optional<decltype(decode())> {
  try {
    return decode();
  } catch (const json::exception&) {
    return std::nullopt;
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

std::string hash_file_name(const Hash32& hash, std::string_view suffix) {
  std::string name = to_hex0x(hash);
  name.append(suffix);
  return name;
}

std::optional<Hash32> parse_hash_file_name(std::string_view name, std::string_view suffix) {
  if (name.size() != 2 + 64 + suffix.size() || !name.starts_with("0x") || !name.ends_with(suffix)) return std::nullopt;
  for (char c : name.substr(2, 64))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  return from_hex_fixed<32>(name.substr(0, 66));
}

std::string encode_order_file(const OrderFile& file) {
  nlohmann::ordered_json out;
  out["orderHash"] = to_hex0x(file.order.hash);
  out["order"] = file.order.order.to_json();
  out["sign"] = to_hex0x(file.order.signature);
  out["sequence"] = file.sequence;
  out["time"] = file.time;
  if (file.closed_by) out["by"] = file.closed_by->to_string();
  return out.dump() + "\n";
}

std::optional<OrderFile> decode_order_file(std::string_view text) {
  return tolerant([&] {
    const json in = json::parse(text);
    OrderFile out;
    out.order.hash = hash_at(in, "orderHash");
    out.order.order = crypto::DatasetOrder::from_json(in.at("order"));
    out.order.signature = from_hex_fixed<65>(in.at("sign").get<std::string>());
    out.sequence = in.at("sequence").get<uint64_t>();
    out.time = in.at("time").get<uint64_t>();
    if (in.contains("by")) out.closed_by = address_at(in, "by");
    return out;
  });
}

std::string encode_task_file(const TaskFile& file) {
  nlohmann::ordered_json out;
  out["task"] = to_hex0x(file.task);
  out["deal"] = to_hex0x(file.deal);
  out["orderHash"] = to_hex0x(file.order_hash);
  out["index"] = file.index;
  out["dataset"] = file.dataset.to_string();
  out["app"] = file.app.to_string();
  out["requester"] = file.requester.to_string();
  out["beneficiary"] = file.beneficiary.to_string();
  out["price"] = file.price;
  out["created"] = file.created;
  if (file.bulk) out["bulk"] = true;
  return out.dump() + "\n";
}

Hash32 TaskFile::file_hash() const { return bulk ? bulk_access_id(task, dataset) : task; }

std::optional<TaskFile> decode_task_file(std::string_view text) {
  return tolerant([&] {
    const json in = json::parse(text);
    TaskFile out;
    out.task = hash_at(in, "task");
    out.deal = hash_at(in, "deal");
    out.order_hash = hash_at(in, "orderHash");
    out.index = in.at("index").get<uint64_t>();
    out.dataset = address_at(in, "dataset");
    out.app = address_at(in, "app");
    out.requester = address_at(in, "requester");
    out.beneficiary = address_at(in, "beneficiary");
    out.price = in.at("price").get<uint64_t>();
    out.created = in.at("created").get<uint64_t>();
    out.bulk = in.value("bulk", false);
    return out;
  });
}

std::string encode_deposit_file(const DepositFile& file) {
  nlohmann::ordered_json out;
  out["account"] = file.account.to_string();
  out["amount"] = file.amount;
  out["created"] = file.created;
  return out.dump() + "\n";
}

std::optional<DepositFile> decode_deposit_file(std::string_view text) {
  return tolerant([&] {
    const json in = json::parse(text);
    DepositFile out;
    out.account = address_at(in, "account");
    out.amount = in.at("amount").get<uint64_t>();
    out.created = in.at("created").get<uint64_t>();
    return out;
  });
}

}  // namespace pfs::network::local
