#include "network/iexec/orders.hpp"

#include <nlohmann/json.hpp>

#include "protectedfs/crypto/order_fields.hpp"

namespace pfs::network::iexec {
namespace abi = crypto::abi;

namespace {

// Member order and names are PoCo's (IexecLibOrders_v5's type hashes, pinned in tests/unit/network).
const crypto::OrderMembers<AppOrder, 8> kAppOrderMembers{{{"app", &AppOrder::app},
                                                          {"appprice", &AppOrder::appprice},
                                                          {"volume", &AppOrder::volume},
                                                          {"tag", &AppOrder::tag},
                                                          {"datasetrestrict", &AppOrder::datasetrestrict},
                                                          {"workerpoolrestrict", &AppOrder::workerpoolrestrict},
                                                          {"requesterrestrict", &AppOrder::requesterrestrict},
                                                          {"salt", &AppOrder::salt}}};

const crypto::OrderMembers<WorkerpoolOrder, 10> kWorkerpoolOrderMembers{
    {{"workerpool", &WorkerpoolOrder::workerpool},
     {"workerpoolprice", &WorkerpoolOrder::workerpoolprice},
     {"volume", &WorkerpoolOrder::volume},
     {"tag", &WorkerpoolOrder::tag},
     {"category", &WorkerpoolOrder::category},
     {"trust", &WorkerpoolOrder::trust},
     {"apprestrict", &WorkerpoolOrder::apprestrict},
     {"datasetrestrict", &WorkerpoolOrder::datasetrestrict},
     {"requesterrestrict", &WorkerpoolOrder::requesterrestrict},
     {"salt", &WorkerpoolOrder::salt}}};

const crypto::OrderMembers<RequestOrder, 15> kRequestOrderMembers{
    {{"app", &RequestOrder::app},
     {"appmaxprice", &RequestOrder::appmaxprice},
     {"dataset", &RequestOrder::dataset},
     {"datasetmaxprice", &RequestOrder::datasetmaxprice},
     {"workerpool", &RequestOrder::workerpool},
     {"workerpoolmaxprice", &RequestOrder::workerpoolmaxprice},
     {"requester", &RequestOrder::requester},
     {"volume", &RequestOrder::volume},
     {"tag", &RequestOrder::tag},
     {"category", &RequestOrder::category},
     {"trust", &RequestOrder::trust},
     {"beneficiary", &RequestOrder::beneficiary},
     {"callback", &RequestOrder::callback},
     {"params", &RequestOrder::params},
     {"salt", &RequestOrder::salt}}};

// matchOrders' and manageDatasetOrder's tuple: the order's members, then `bytes sign`.
template <class Order, std::size_t N>
abi::Value signed_tuple(const crypto::OrderMembers<Order, N>& members, const Order& order, ByteView sign) {
  std::vector<abi::Value> values = crypto::order_abi_values(members, order);
  values.push_back(abi::Value::bytes(sign));
  return abi::Value::tuple(std::move(values));
}

}  // namespace

crypto::TypedStruct AppOrder::to_struct() const { return crypto::order_struct("AppOrder", kAppOrderMembers, *this); }
nlohmann::json AppOrder::to_json() const { return crypto::order_to_json(kAppOrderMembers, *this); }
AppOrder AppOrder::from_json(const nlohmann::json& order) {
  return crypto::order_from_json(kAppOrderMembers, order, "app order");
}

crypto::TypedStruct WorkerpoolOrder::to_struct() const {
  return crypto::order_struct("WorkerpoolOrder", kWorkerpoolOrderMembers, *this);
}
nlohmann::json WorkerpoolOrder::to_json() const { return crypto::order_to_json(kWorkerpoolOrderMembers, *this); }
WorkerpoolOrder WorkerpoolOrder::from_json(const nlohmann::json& order) {
  return crypto::order_from_json(kWorkerpoolOrderMembers, order, "workerpool order");
}

crypto::TypedStruct RequestOrder::to_struct() const {
  return crypto::order_struct("RequestOrder", kRequestOrderMembers, *this);
}

abi::Value abi_tuple(const SignedAppOrder& o) { return signed_tuple(kAppOrderMembers, o.order, o.sign); }
abi::Value abi_tuple(const SignedOrder& o) {
  return signed_tuple(crypto::dataset_order_members(), o.order, o.signature);
}
abi::Value abi_tuple(const SignedWorkerpoolOrder& o) { return signed_tuple(kWorkerpoolOrderMembers, o.order, o.sign); }
abi::Value abi_tuple(const SignedRequestOrder& o) { return signed_tuple(kRequestOrderMembers, o.order, o.sign); }

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
