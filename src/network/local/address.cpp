#include "network/local/address.hpp"

#include <algorithm>
#include <array>

#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/network/local_network.hpp"

namespace pfs::network::local {
namespace {

namespace abi = crypto::abi;

crypto::Address last_20_bytes(const Hash32& hash) {
  std::array<uint8_t, 20> last{};
  std::copy(hash.end() - 20, hash.end(), last.begin());
  return crypto::Address(last);
}

}  // namespace

crypto::Address dataset_address(const crypto::Address& owner, const Registration& registration) {
  return last_20_bytes(crypto::keccak256(
      abi::encode({abi::Value::address(owner), abi::Value::string(registration.name),
                   abi::Value::bytes(registration.multiaddr), abi::Value::bytes32(registration.checksum)})));
}

std::string record_tx_hash(const DatasetRecord& record) {
  return to_hex0x(crypto::keccak256(abi::encode(
      {abi::Value::address(record.address), abi::Value::address(record.owner), abi::Value::string(record.name),
       abi::Value::bytes(record.multiaddr), abi::Value::bytes32(record.checksum), abi::Value::string(record.schema),
       abi::Value::uint256(crypto::Uint256(record.created))})));
}

crypto::Address app_address(const Hash32& executable_checksum) {
  return last_20_bytes(crypto::keccak256(
      abi::encode({abi::Value::string("protectedfs local iApp"), abi::Value::bytes32(executable_checksum)})));
}

Hash32 deal_id(const Hash32& order_hash, uint64_t index) {
  return crypto::keccak256(abi::encode({abi::Value::bytes32(order_hash), abi::Value::uint256(crypto::Uint256(index))}));
}

Hash32 task_id(const Hash32& deal, uint64_t index) {
  return crypto::keccak256(abi::encode({abi::Value::bytes32(deal), abi::Value::uint256(crypto::Uint256(index))}));
}

Hash32 bulk_deal_id(const crypto::Address& requester, const crypto::Address& app,
                    const std::vector<Hash32>& order_hashes, const Hash32& salt) {
  Bytes hashes;
  for (const Hash32& h : order_hashes) hashes.insert(hashes.end(), h.begin(), h.end());
  return crypto::keccak256(abi::encode({abi::Value::address(requester), abi::Value::address(app),
                                        abi::Value::bytes32(crypto::keccak256(hashes)), abi::Value::bytes32(salt)}));
}

Hash32 bulk_access_id(const Hash32& task, const crypto::Address& dataset) {
  return crypto::keccak256(abi::encode({abi::Value::bytes32(task), abi::Value::address(dataset)}));
}

}  // namespace pfs::network::local

namespace pfs::network {

crypto::Address local_hub_address() {
  return local::last_20_bytes(crypto::keccak256(as_bytes("protectedfs local hub")));
}

crypto::Eip712Domain local_order_domain() {
  return crypto::poco_domain(crypto::Uint256(kLocalChainId), local_hub_address());
}

}  // namespace pfs::network
