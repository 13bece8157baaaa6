#include "protectedfs/remote/dataset_info.hpp"

#include <ctime>

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

void apply_published(core::DataInfo& info, const network::DatasetRecord& record, std::string versions) {
  info.status = "published";
  info.address = record.address.to_string();
  info.owner = record.owner.to_string();
  info.schema = record.schema;
  try {
    info.multiaddr = format::decode_dataset_multiaddr(record.multiaddr).text;
  } catch (const Error&) {
    info.multiaddr = to_hex0x(record.multiaddr);  // not a location readers understand: shown as registered
  }
  info.checksum = to_hex0x(record.checksum);
  info.tx = record.tx;
  info.created = iso_time(record.created);
  info.versions = std::move(versions);
}

}  // namespace pfs::remote
