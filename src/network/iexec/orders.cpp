#include "network/iexec/orders.hpp"

#include <nlohmann/json.hpp>

#include "crypto/json_fields.hpp"

namespace pfs::network::iexec {
namespace abi = crypto::abi;
namespace detail = crypto::detail;

crypto::TypedStruct AppOrder::to_struct() const {
  return crypto::TypedStruct("AppOrder")
      .address("app", app)
      .uint256("appprice", appprice)
      .uint256("volume", volume)
      .bytes32("tag", tag)
      .address("datasetrestrict", datasetrestrict)
      .address("workerpoolrestrict", workerpoolrestrict)
      .address("requesterrestrict", requesterrestrict)
      .bytes32("salt", salt);
}

nlohmann::json AppOrder::to_json() const {
  return {{"app", app.to_string()},
          {"appprice", appprice.to_decimal()},
          {"volume", volume.to_decimal()},
          {"tag", to_hex0x(tag)},
          {"datasetrestrict", datasetrestrict.to_string()},
          {"workerpoolrestrict", workerpoolrestrict.to_string()},
          {"requesterrestrict", requesterrestrict.to_string()},
          {"salt", to_hex0x(salt)}};
}

AppOrder AppOrder::from_json(const nlohmann::json& order) {
  const std::string what = "app order";
  detail::require_object(order, what);
  AppOrder out;
  out.app = detail::require_address(order, "app", what);
  out.appprice = detail::require_uint256(order, "appprice", what);
  out.volume = detail::require_uint256(order, "volume", what);
  out.tag = detail::require_bytes32(order, "tag", what);
  out.datasetrestrict = detail::require_address(order, "datasetrestrict", what);
  out.workerpoolrestrict = detail::require_address(order, "workerpoolrestrict", what);
  out.requesterrestrict = detail::require_address(order, "requesterrestrict", what);
  out.salt = detail::require_bytes32(order, "salt", what);
  return out;
}

crypto::TypedStruct WorkerpoolOrder::to_struct() const {
  return crypto::TypedStruct("WorkerpoolOrder")
      .address("workerpool", workerpool)
      .uint256("workerpoolprice", workerpoolprice)
      .uint256("volume", volume)
      .bytes32("tag", tag)
      .uint256("category", category)
      .uint256("trust", trust)
      .address("apprestrict", apprestrict)
      .address("datasetrestrict", datasetrestrict)
      .address("requesterrestrict", requesterrestrict)
      .bytes32("salt", salt);
}

nlohmann::json WorkerpoolOrder::to_json() const {
  return {{"workerpool", workerpool.to_string()},
          {"workerpoolprice", workerpoolprice.to_decimal()},
          {"volume", volume.to_decimal()},
          {"tag", to_hex0x(tag)},
          {"category", category.to_decimal()},
          {"trust", trust.to_decimal()},
          {"apprestrict", apprestrict.to_string()},
          {"datasetrestrict", datasetrestrict.to_string()},
          {"requesterrestrict", requesterrestrict.to_string()},
          {"salt", to_hex0x(salt)}};
}

WorkerpoolOrder WorkerpoolOrder::from_json(const nlohmann::json& order) {
  const std::string what = "workerpool order";
  detail::require_object(order, what);
  WorkerpoolOrder out;
  out.workerpool = detail::require_address(order, "workerpool", what);
  out.workerpoolprice = detail::require_uint256(order, "workerpoolprice", what);
  out.volume = detail::require_uint256(order, "volume", what);
  out.tag = detail::require_bytes32(order, "tag", what);
  out.category = detail::require_uint256(order, "category", what);
  out.trust = detail::require_uint256(order, "trust", what);
  out.apprestrict = detail::require_address(order, "apprestrict", what);
  out.datasetrestrict = detail::require_address(order, "datasetrestrict", what);
  out.requesterrestrict = detail::require_address(order, "requesterrestrict", what);
  out.salt = detail::require_bytes32(order, "salt", what);
  return out;
}

crypto::TypedStruct RequestOrder::to_struct() const {
  return crypto::TypedStruct("RequestOrder")
      .address("app", app)
      .uint256("appmaxprice", appmaxprice)
      .address("dataset", dataset)
      .uint256("datasetmaxprice", datasetmaxprice)
      .address("workerpool", workerpool)
      .uint256("workerpoolmaxprice", workerpoolmaxprice)
      .address("requester", requester)
      .uint256("volume", volume)
      .bytes32("tag", tag)
      .uint256("category", category)
      .uint256("trust", trust)
      .address("beneficiary", beneficiary)
      .address("callback", callback)
      .string("params", params)
      .bytes32("salt", salt);
}

abi::Value abi_tuple(const SignedAppOrder& o) {
  const AppOrder& a = o.order;
  return abi::Value::tuple({abi::Value::address(a.app), abi::Value::uint256(a.appprice), abi::Value::uint256(a.volume),
                            abi::Value::bytes32(a.tag), abi::Value::address(a.datasetrestrict),
                            abi::Value::address(a.workerpoolrestrict), abi::Value::address(a.requesterrestrict),
                            abi::Value::bytes32(a.salt), abi::Value::bytes(o.sign)});
}

abi::Value abi_tuple(const SignedOrder& o) {
  const crypto::DatasetOrder& d = o.order;
  return abi::Value::tuple(
      {abi::Value::address(d.dataset), abi::Value::uint256(d.datasetprice), abi::Value::uint256(d.volume),
       abi::Value::bytes32(d.tag), abi::Value::address(d.apprestrict), abi::Value::address(d.workerpoolrestrict),
       abi::Value::address(d.requesterrestrict), abi::Value::bytes32(d.salt), abi::Value::bytes(o.signature)});
}

abi::Value abi_tuple(const SignedWorkerpoolOrder& o) {
  const WorkerpoolOrder& w = o.order;
  return abi::Value::tuple({abi::Value::address(w.workerpool), abi::Value::uint256(w.workerpoolprice),
                            abi::Value::uint256(w.volume), abi::Value::bytes32(w.tag), abi::Value::uint256(w.category),
                            abi::Value::uint256(w.trust), abi::Value::address(w.apprestrict),
                            abi::Value::address(w.datasetrestrict), abi::Value::address(w.requesterrestrict),
                            abi::Value::bytes32(w.salt), abi::Value::bytes(o.sign)});
}

abi::Value abi_tuple(const SignedRequestOrder& o) {
  const RequestOrder& r = o.order;
  return abi::Value::tuple({abi::Value::address(r.app), abi::Value::uint256(r.appmaxprice),
                            abi::Value::address(r.dataset), abi::Value::uint256(r.datasetmaxprice),
                            abi::Value::address(r.workerpool), abi::Value::uint256(r.workerpoolmaxprice),
                            abi::Value::address(r.requester), abi::Value::uint256(r.volume), abi::Value::bytes32(r.tag),
                            abi::Value::uint256(r.category), abi::Value::uint256(r.trust),
                            abi::Value::address(r.beneficiary), abi::Value::address(r.callback),
                            abi::Value::string(r.params), abi::Value::bytes32(r.salt), abi::Value::bytes(o.sign)});
}

std::string request_params(const std::string& args) {
  nlohmann::json params = nlohmann::json::object();
  if (!args.empty()) params["iexec_args"] = args;
  return params.dump();
}

Hash32 tag_union(const Hash32& a, const Hash32& b) {
  Hash32 out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(a[i] | b[i]);
  return out;
}

}  // namespace pfs::network::iexec
