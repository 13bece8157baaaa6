#include "protectedfs/remote/dataset_info.hpp"

#include <ctime>

#include <nlohmann/json.hpp>

#include "core/data_info.hpp"
#include "protectedfs/format/multiaddr.hpp"

namespace pfs::remote {

std::string iso_time(uint64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

core::PublishedVersion published_version_of(const network::DatasetRecord& record) {
  core::PublishedVersion v;
  v.address = record.address.to_string();
  v.owner = record.owner.to_string();
  v.schema = record.schema;
  try {
    v.multiaddr = format::decode_dataset_multiaddr(record.multiaddr).text;
  } catch (const Error&) {
    v.multiaddr = to_hex0x(record.multiaddr);  // not a location readers understand: shown as registered
  }
  v.checksum = to_hex0x(record.checksum);
  v.tx = record.tx;
  v.created = iso_time(record.created);
  return v;
}

void apply_published(core::DataInfo& info, const network::DatasetRecord& record,
                     std::vector<core::VersionRef> versions) {
  core::apply_version(info, published_version_of(record));
  info.versions = std::move(versions);
}

core::IssuedOrder issued_order_of(const network::SignedOrder& signed_order, core::IssuedOrder::State state) {
  const crypto::DatasetOrder& o = signed_order.order;
  core::IssuedOrder issued;
  issued.hash = to_hex0x(signed_order.hash);
  issued.dataset = o.dataset.to_string();
  issued.subject = {o.requesterrestrict, o.apprestrict};
  issued.terms = {o.datasetprice.fits_uint64() ? o.datasetprice.to_uint64() : UINT64_MAX,
                  o.volume.fits_uint64() ? o.volume.to_uint64() : core::kUnlimitedVolume};
  nlohmann::json j = o.to_json();
  j["sign"] = to_hex0x(signed_order.signature);
  issued.signed_order = j.dump();
  issued.state = state;
  issued.remaining = issued.terms.count;
  return issued;
}

network::SignedOrder signed_order_of(const core::IssuedOrder& order) {
  const auto j = nlohmann::json::parse(order.signed_order);
  network::SignedOrder out;
  out.order = crypto::DatasetOrder::from_json(j);
  out.signature = from_hex_fixed<65>(j.at("sign").get<std::string>());
  out.hash = from_hex_fixed<32>(order.hash);
  return out;
}

void import_grants(core::DataInfo& info, const std::vector<network::OrderState>& open_orders) {
  for (const auto& state : open_orders) {
    core::IssuedOrder issued = issued_order_of(state.order, core::IssuedOrder::State::Open);
    issued.uses = state.uses;
    issued.remaining = state.remaining();
    if (core::find_grant(info, issued.subject)) continue;  // one grant per (user, app): the oldest order carries it
    info.grants.push_back({issued.subject, issued.terms, issued.hash});
    info.orders.push_back(std::move(issued));
  }
}

}  // namespace pfs::remote
