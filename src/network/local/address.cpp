#include "network/local/address.hpp"

#include <algorithm>
#include <array>

#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/keccak.hpp"

namespace pfs::network::local {

namespace abi = crypto::abi;

crypto::Address dataset_address(const crypto::Address& owner, const Registration& registration) {
  const Hash32 hash = crypto::keccak256(abi::encode({abi::Value::address(owner), abi::Value::string(registration.name),
                                                     abi::Value::bytes(registration.multiaddr),
                                                     abi::Value::bytes32(registration.checksum)}));
  std::array<uint8_t, 20> last{};
  std::copy(hash.end() - 20, hash.end(), last.begin());
  return crypto::Address(last);
}

std::string record_tx_hash(const DatasetRecord& record) {
  return to_hex0x(crypto::keccak256(abi::encode(
      {abi::Value::address(record.address), abi::Value::address(record.owner), abi::Value::string(record.name),
       abi::Value::bytes(record.multiaddr), abi::Value::bytes32(record.checksum), abi::Value::string(record.schema),
       abi::Value::uint256(crypto::Uint256(record.created))})));
}

}  // namespace pfs::network::local
