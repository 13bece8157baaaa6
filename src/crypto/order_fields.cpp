#include "protectedfs/crypto/order_fields.hpp"

#include "crypto/json_fields.hpp"

namespace pfs::crypto::order_member {

void add(TypedStruct& out, std::string_view name, const Address& value) { out.address(name, value); }
void add(TypedStruct& out, std::string_view name, const Uint256& value) { out.uint256(name, value); }
void add(TypedStruct& out, std::string_view name, const Hash32& value) { out.bytes32(name, value); }
void add(TypedStruct& out, std::string_view name, const std::string& value) { out.string(name, value); }

nlohmann::json to_json(const Address& value) { return value.to_string(); }
nlohmann::json to_json(const Uint256& value) { return value.to_decimal(); }
nlohmann::json to_json(const Hash32& value) { return to_hex0x(value); }
nlohmann::json to_json(const std::string& value) { return value; }

void read(const nlohmann::json& order, std::string_view name, const std::string& what, Address& out) {
  out = detail::require_address(order, std::string(name).c_str(), what);
}
void read(const nlohmann::json& order, std::string_view name, const std::string& what, Uint256& out) {
  out = detail::require_uint256(order, std::string(name).c_str(), what);
}
void read(const nlohmann::json& order, std::string_view name, const std::string& what, Hash32& out) {
  out = detail::require_bytes32(order, std::string(name).c_str(), what);
}
void read(const nlohmann::json& order, std::string_view name, const std::string& what, std::string& out) {
  out = detail::require_string(order, std::string(name).c_str(), what);
}

abi::Value abi_value(const Address& value) { return abi::Value::address(value); }
abi::Value abi_value(const Uint256& value) { return abi::Value::uint256(value); }
abi::Value abi_value(const Hash32& value) { return abi::Value::bytes32(value); }
abi::Value abi_value(const std::string& value) { return abi::Value::string(value); }

void require_object(const nlohmann::json& order, const std::string& what) { detail::require_object(order, what); }

}  // namespace pfs::crypto::order_member
