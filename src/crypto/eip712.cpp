#include "protectedfs/crypto/eip712.hpp"

#include <nlohmann/json.hpp>

#include "crypto/json_fields.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/order_fields.hpp"

namespace pfs::crypto {

// ---- TypedStruct ----

TypedStruct::TypedStruct(std::string_view struct_name) : name_(struct_name) {}

TypedStruct& TypedStruct::member(std::string_view type, std::string_view name, ByteView word) {
  if (!members_.empty()) members_ += ',';
  members_.append(type).append(" ").append(name);
  data_.insert(data_.end(), word.begin(), word.end());
  return *this;
}

TypedStruct& TypedStruct::address(std::string_view name, const Address& value) {
  return member("address", name, value.to_word());
}
TypedStruct& TypedStruct::uint256(std::string_view name, const Uint256& value) {
  return member("uint256", name, value.bytes());
}
TypedStruct& TypedStruct::bytes32(std::string_view name, const Hash32& value) { return member("bytes32", name, value); }
// Dynamic members are represented by the hash of their content, so every member stays one word.
TypedStruct& TypedStruct::string(std::string_view name, std::string_view value) {
  return member("string", name, keccak256(as_bytes(value)));
}
TypedStruct& TypedStruct::bytes(std::string_view name, ByteView value) {
  return member("bytes", name, keccak256(value));
}
TypedStruct& TypedStruct::word(std::string_view type, std::string_view name, const std::array<uint8_t, 32>& value) {
  return member(type, name, value);
}

std::string TypedStruct::encode_type() const { return name_ + "(" + members_ + ")"; }
Hash32 TypedStruct::type_hash() const { return keccak256(as_bytes(encode_type())); }
Hash32 TypedStruct::hash_struct() const { return Keccak256().update(type_hash()).update(data_).finish(); }

// ---- domain ----

TypedStruct Eip712Domain::to_struct() const {
  // Members in the order EIP-712 fixes; absent ones are left out of both the type and the data (as ethers does).
  TypedStruct out("EIP712Domain");
  out.string("name", name).string("version", version).uint256("chainId", chain_id);
  if (verifying_contract) out.address("verifyingContract", *verifying_contract);
  return out;
}

Eip712Domain Eip712Domain::from_json(const nlohmann::json& domain) {
  const std::string what = "EIP-712 domain";
  detail::require_object(domain, what);
  for (auto it = domain.begin(); it != domain.end(); ++it)
    if (it.key() != "name" && it.key() != "version" && it.key() != "chainId" && it.key() != "verifyingContract")
      throw Error(EINVAL, what + ": unsupported field \"" + it.key() + "\"");
  Eip712Domain out;
  out.name = detail::require_string(domain, "name", what);
  out.version = detail::require_string(domain, "version", what);
  out.chain_id = detail::require_uint256(domain, "chainId", what);
  if (domain.contains("verifyingContract"))
    out.verifying_contract = detail::require_address(domain, "verifyingContract", what);
  return out;
}

Eip712Domain poco_domain(const Uint256& chain_id, const Address& hub) { return {"iExecODB", "5.0.0", chain_id, hub}; }

Hash32 typed_data_hash(const Hash32& domain_separator, const Hash32& struct_hash) {
  static constexpr uint8_t prefix[2] = {0x19, 0x01};  // EIP-191 version 0x01: structured data
  return Keccak256().update(prefix).update(domain_separator).update(struct_hash).finish();
}

std::array<uint8_t, 65> sign_typed_data(const PrivateKey& key, const Eip712Domain& domain, const TypedStruct& message) {
  return sign_recoverable(key, typed_data_hash(domain, message)).to_rsv();
}

// ---- DatasetOrder ----

const OrderMembers<DatasetOrder, 8>& dataset_order_members() {
  // Member order and names are PoCo's (IexecLibOrders_v5.DATASETORDER_TYPEHASH); they define the type hash.
  static const OrderMembers<DatasetOrder, 8> members{{{"dataset", &DatasetOrder::dataset},
                                                      {"datasetprice", &DatasetOrder::datasetprice},
                                                      {"volume", &DatasetOrder::volume},
                                                      {"tag", &DatasetOrder::tag},
                                                      {"apprestrict", &DatasetOrder::apprestrict},
                                                      {"workerpoolrestrict", &DatasetOrder::workerpoolrestrict},
                                                      {"requesterrestrict", &DatasetOrder::requesterrestrict},
                                                      {"salt", &DatasetOrder::salt}}};
  return members;
}

TypedStruct DatasetOrder::to_struct() const { return order_struct("DatasetOrder", dataset_order_members(), *this); }

nlohmann::json DatasetOrder::to_json() const { return order_to_json(dataset_order_members(), *this); }

DatasetOrder DatasetOrder::from_json(const nlohmann::json& order) {
  return order_from_json(dataset_order_members(), order, "dataset order");
}

// ---- market login ----

Eip712Domain market_login_domain(const Uint256& chain_id) { return {"iExec Gateway", "1", chain_id, std::nullopt}; }

namespace {

// The "types" entry of one struct as a list of (name, type) pairs, in order.
std::vector<std::pair<std::string, std::string>> type_members(const nlohmann::json& list, const std::string& what) {
  if (!list.is_array()) throw Error(EINVAL, what + " must be a JSON array");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : list) {
    detail::require_object(entry, what + " entry");
    out.emplace_back(detail::require_string(entry, "name", what), detail::require_string(entry, "type", what));
  }
  return out;
}

}  // namespace

MarketLoginRequest MarketLoginRequest::from_json(const nlohmann::json& typed_data) {
  const nlohmann::json& data = typed_data.is_object() && typed_data.contains("data") && !typed_data.contains("types")
                                   ? typed_data["data"]
                                   : typed_data;
  const std::string what = "market challenge";
  detail::require_object(data, what);
  MarketLoginRequest out;
  out.domain = Eip712Domain::from_json(detail::require_field(data, "domain", what));
  const auto& message = detail::require_object(detail::require_field(data, "message", what), what + " message");
  out.message.challenge = detail::require_string(message, "challenge", what + " message");

  if (data.contains("primaryType") && data["primaryType"] != "Challenge")
    throw Error(EINVAL, what + ": primaryType must be \"Challenge\"");
  // We sign what we understand: the declared types must be exactly the ones our encoder produces.
  const auto& types = detail::require_object(detail::require_field(data, "types", what), what + " types");
  for (auto it = types.begin(); it != types.end(); ++it)
    if (it.key() != "Challenge" && it.key() != "EIP712Domain")
      throw Error(EINVAL, what + ": unexpected type \"" + it.key() + "\"");
  const std::vector<std::pair<std::string, std::string>> challenge_type = {{"challenge", "string"}};
  if (type_members(detail::require_field(types, "Challenge", what + " types"), what + " types.Challenge") !=
      challenge_type)
    throw Error(EINVAL, what + ": types.Challenge must be [{\"name\":\"challenge\",\"type\":\"string\"}]");
  if (types.contains("EIP712Domain")) {
    std::vector<std::pair<std::string, std::string>> expected = {
        {"name", "string"}, {"version", "string"}, {"chainId", "uint256"}};
    if (out.domain.verifying_contract) expected.emplace_back("verifyingContract", "address");
    if (type_members(types["EIP712Domain"], what + " types.EIP712Domain") != expected)
      throw Error(EINVAL, what + ": types.EIP712Domain does not match the domain's fields");
  }
  return out;
}

std::string market_authorization(const PrivateKey& key, const Eip712Domain& domain, const MarketChallenge& message) {
  Hash32 hash = typed_data_hash(domain, message);
  return to_hex0x(hash) + "_" + to_hex0x(sign_recoverable(key, hash).to_rsv()) + "_" + key.address().to_string();
}

}  // namespace pfs::crypto
