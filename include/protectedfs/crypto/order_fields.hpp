// PoCo's orders (IexecLibOrders_v5: DatasetOrder, AppOrder, WorkerpoolOrder, RequestOrder) are flat structs of
// addresses, uint256s, bytes32s and, for the request's params, a string. Each order type lists its members once, in
// PoCo's order, as (EIP-712 name, pointer to member); everything else follows that one list: the EIP-712 struct
// (whose type hash the names and order define), the market API's JSON form and its parsing, and the ABI tuple that
// matchOrders and manageDatasetOrder take.
#pragma once
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/eip712.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

template <class Order>
struct OrderMember {
  std::string_view name;
  std::variant<Address Order::*, Uint256 Order::*, Hash32 Order::*, std::string Order::*> field;
};

template <class Order, std::size_t N>
using OrderMembers = std::array<OrderMember<Order>, N>;

// One member in each form (order_fields.cpp). Reading takes the market's JSON form: a string for every member, or a
// JSON number for a uint256; EINVAL naming the member (`what` names the order) for a missing or malformed one.
namespace order_member {
void add(TypedStruct& out, std::string_view name, const Address& value);
void add(TypedStruct& out, std::string_view name, const Uint256& value);
void add(TypedStruct& out, std::string_view name, const Hash32& value);
void add(TypedStruct& out, std::string_view name, const std::string& value);
nlohmann::json to_json(const Address& value);
nlohmann::json to_json(const Uint256& value);
nlohmann::json to_json(const Hash32& value);
nlohmann::json to_json(const std::string& value);
void read(const nlohmann::json& order, std::string_view name, const std::string& what, Address& out);
void read(const nlohmann::json& order, std::string_view name, const std::string& what, Uint256& out);
void read(const nlohmann::json& order, std::string_view name, const std::string& what, Hash32& out);
void read(const nlohmann::json& order, std::string_view name, const std::string& what, std::string& out);
abi::Value abi_value(const Address& value);
abi::Value abi_value(const Uint256& value);
abi::Value abi_value(const Hash32& value);
abi::Value abi_value(const std::string& value);
void require_object(const nlohmann::json& order, const std::string& what);  // EINVAL unless a JSON object
}  // namespace order_member

template <class Order, std::size_t N>
TypedStruct order_struct(std::string_view type_name, const OrderMembers<Order, N>& members, const Order& order) {
  TypedStruct out(type_name);
  for (const auto& member : members)
    std::visit([&](auto field) { order_member::add(out, member.name, order.*field); }, member.field);
  return out;
}

template <class Order, std::size_t N>
nlohmann::json order_to_json(const OrderMembers<Order, N>& members, const Order& order) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& member : members)
    std::visit([&](auto field) { out[std::string(member.name)] = order_member::to_json(order.*field); }, member.field);
  return out;
}

// Other keys (e.g. "sign") are ignored.
template <class Order, std::size_t N>
Order order_from_json(const OrderMembers<Order, N>& members, const nlohmann::json& json, const std::string& what) {
  order_member::require_object(json, what);
  Order out;
  for (const auto& member : members)
    std::visit([&](auto field) { order_member::read(json, member.name, what, out.*field); }, member.field);
  return out;
}

// The order's members as ABI values, in PoCo's order (the caller appends the signature to make the tuple).
template <class Order, std::size_t N>
std::vector<abi::Value> order_abi_values(const OrderMembers<Order, N>& members, const Order& order) {
  std::vector<abi::Value> out;
  out.reserve(N + 1);
  for (const auto& member : members)
    std::visit([&](auto field) { out.push_back(order_member::abi_value(order.*field)); }, member.field);
  return out;
}

// The DatasetOrder's members (IexecLibOrders_v5.DATASETORDER_TYPEHASH): dataset, datasetprice, volume, tag,
// apprestrict, workerpoolrestrict, requesterrestrict, salt.
const OrderMembers<DatasetOrder, 8>& dataset_order_members();

}  // namespace pfs::crypto
