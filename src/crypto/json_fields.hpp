// Reading fields of untrusted JSON (market answers, typed data, keystores) with EINVAL errors that name the field.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::crypto::detail {

inline const nlohmann::json& require_object(const nlohmann::json& value, const std::string& what) {
  if (!value.is_object()) throw Error(EINVAL, what + " must be a JSON object");
  return value;
}

inline const nlohmann::json& require_field(const nlohmann::json& object, const char* key, const std::string& what) {
  auto it = object.find(key);
  if (it == object.end()) throw Error(EINVAL, what + ": missing field \"" + key + "\"");
  return *it;
}

inline std::string require_string(const nlohmann::json& object, const char* key, const std::string& what) {
  const nlohmann::json& value = require_field(object, key, what);
  if (!value.is_string()) throw Error(EINVAL, what + ": field \"" + key + "\" must be a string");
  return value.get<std::string>();
}

// Re-throws a parse failure of a field's content with the field's name in front.
template <class F>
auto with_field(const char* key, const std::string& what, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const Error& e) {
    throw Error(EINVAL, what + ": field \"" + key + "\": " + e.what());
  }
}

// A uint256 given as a JSON unsigned number or as a decimal / 0x-hex string.
inline Uint256 require_uint256(const nlohmann::json& object, const char* key, const std::string& what) {
  const nlohmann::json& value = require_field(object, key, what);
  if (value.is_number_unsigned()) return Uint256(value.get<uint64_t>());
  if (value.is_number_integer() && value.get<int64_t>() >= 0)
    return Uint256(static_cast<uint64_t>(value.get<int64_t>()));
  if (!value.is_string())
    throw Error(EINVAL, what + ": field \"" + key + "\" must be a non-negative integer or a numeric string");
  return with_field(key, what, [&] { return Uint256::parse(value.get<std::string>()); });
}

inline Address require_address(const nlohmann::json& object, const char* key, const std::string& what) {
  std::string text = require_string(object, key, what);
  return with_field(key, what, [&] { return Address::parse(text); });
}

inline Hash32 require_bytes32(const nlohmann::json& object, const char* key, const std::string& what) {
  std::string text = require_string(object, key, what);
  if (text.size() < 2 || text[0] != '0' || text[1] != 'x')
    throw Error(EINVAL, what + ": field \"" + key + "\" must be 0x followed by 64 hex digits");
  return with_field(key, what, [&] { return from_hex_fixed<32>(text); });
}

}  // namespace pfs::crypto::detail
