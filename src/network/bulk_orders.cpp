// Bulk processing's network-independent part: which orders a bulk request uses and how it slices them, and the
// defaults of the optional Compute and SecretStore operations.
#include <nlohmann/json.hpp>

#include "protectedfs/network/bulk_slices.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network {

bool is_bulk_order(const crypto::DatasetOrder& order) {
  // The SDK's signedDatasetorderBulkSchema also takes kBulkVolume - 1, "for compatibility with already created orders".
  return order.datasetprice.is_zero() && (!order.volume.fits_uint64() || order.volume.to_uint64() >= kBulkVolume - 1);
}

std::vector<SignedOrder> gather_bulk_orders(GrantBook& book, const std::vector<crypto::Address>& datasets,
                                            const crypto::Address& app, const crypto::Address& requester,
                                            bool skip_missing) {
  std::vector<SignedOrder> out;
  for (const crypto::Address& dataset : datasets) {
    std::optional<SignedOrder> chosen;
    for (const OrderState& state : book.open_orders(dataset)) {  // oldest first
      const crypto::DatasetOrder& o = state.order.order;
      if (!is_bulk_order(o) || o.apprestrict != app || !o.workerpoolrestrict.is_zero()) continue;
      if (o.requesterrestrict == requester) {
        chosen = state.order;
        break;
      }
      if (o.requesterrestrict.is_zero() && !chosen) chosen = state.order;
    }
    if (chosen) out.push_back(*chosen);
    else if (!skip_missing)
      throw Error(EACCES, "dataset " + dataset.to_string() + " has no open bulk grant for app " + app.to_string() +
                              " and " + requester.to_string());
  }
  return out;
}

std::vector<std::vector<SignedOrder>> slice_bulk_orders(const std::vector<SignedOrder>& orders,
                                                        std::size_t max_per_task) {
  if (max_per_task == 0 || max_per_task > 100)
    throw Error(EINVAL, "at most 1 to 100 data per task (iExec's bulk limit), not " + std::to_string(max_per_task));
  std::vector<std::vector<SignedOrder>> slices;
  for (std::size_t at = 0; at < orders.size(); at += max_per_task)
    slices.emplace_back(orders.begin() + static_cast<std::ptrdiff_t>(at),
                        orders.begin() + static_cast<std::ptrdiff_t>(std::min(orders.size(), at + max_per_task)));
  return slices;
}

std::string bulk_slice_json(const std::vector<SignedOrder>& slice) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const SignedOrder& signed_order : slice) {
    const crypto::DatasetOrder& o = signed_order.order;
    nlohmann::ordered_json j;
    j["sign"] = to_hex0x(signed_order.signature);
    j["salt"] = to_hex0x(o.salt);
    j["requesterrestrict"] = o.requesterrestrict.to_string();
    j["workerpoolrestrict"] = o.workerpoolrestrict.to_string();
    j["apprestrict"] = o.apprestrict.to_string();
    j["tag"] = to_hex0x(o.tag);
    j["volume"] = o.volume.to_decimal();
    j["datasetprice"] = o.datasetprice.to_decimal();
    j["dataset"] = o.dataset.to_string();
    out.push_back(std::move(j));
  }
  return out.dump();
}

std::string bulk_root_json(const std::vector<std::string>& slice_cids) { return nlohmann::json(slice_cids).dump(); }

void SecretStore::push_result_key(const crypto::PrivateKey&, const std::string&) {
  throw Error(ENOTSUP, "this network's secret service takes no result-encryption key");
}

bool SecretStore::result_key_exists(const crypto::Address&) {
  throw Error(ENOTSUP, "this network's secret service keeps no result-encryption key");
}

BulkRunResult Compute::run_bulk(const crypto::PrivateKey&, const BulkRunRequest&) {
  throw Error(ENOTSUP, "bulk processing is not available on this network yet");
}

Bytes Compute::result(const std::string&) { throw Error(ENOTSUP, "this network keeps no task results"); }

}  // namespace pfs::network
