#include "protectedfs/crypto/transaction.hpp"

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/rlp.hpp"

namespace pfs::crypto {
namespace {

constexpr uint8_t eip1559_type = 0x02;

rlp::Item to_item(const std::optional<Address>& to) { return to ? rlp::Item::address(*to) : rlp::Item(); }

// r and s are integers in RLP: minimal big-endian, so a leading zero byte is dropped.
rlp::Item scalar_item(const Hash32& value) { return rlp::Item::uint(Uint256::from_be_bytes(value)); }

std::vector<rlp::Item> eip1559_fields(const Eip1559Transaction& tx) {
  return {
      rlp::Item::uint(tx.chain_id),        rlp::Item::uint(tx.nonce),     rlp::Item::uint(tx.max_priority_fee_per_gas),
      rlp::Item::uint(tx.max_fee_per_gas), rlp::Item::uint(tx.gas_limit), to_item(tx.to),
      rlp::Item::uint(tx.value),           rlp::Item::bytes(tx.data),     rlp::Item::list({})};  // accessList
}

Bytes typed(uint8_t type, const rlp::Item& body) {
  Bytes out{type};
  Bytes encoded = rlp::encode(body);
  out.insert(out.end(), encoded.begin(), encoded.end());
  return out;
}

std::vector<rlp::Item> legacy_fields(const LegacyTransaction& tx) {
  if (tx.chain_id.is_zero())
    throw Error(EINVAL, "legacy transactions are signed with EIP-155 replay protection: chain id must not be 0");
  return {rlp::Item::uint(tx.nonce), rlp::Item::uint(tx.gas_price), rlp::Item::uint(tx.gas_limit), to_item(tx.to),
          rlp::Item::uint(tx.value), rlp::Item::bytes(tx.data)};
}

}  // namespace

Bytes Eip1559Transaction::unsigned_payload() const {
  return typed(eip1559_type, rlp::Item::list(eip1559_fields(*this)));
}

Hash32 Eip1559Transaction::signing_hash() const { return keccak256(unsigned_payload()); }

SignedTransaction Eip1559Transaction::sign(const PrivateKey& key) const {
  Signature sig = sign_recoverable(key, signing_hash());
  std::vector<rlp::Item> fields = eip1559_fields(*this);
  fields.push_back(rlp::Item::uint(static_cast<uint64_t>(sig.recid)));  // yParity
  fields.push_back(scalar_item(sig.r));
  fields.push_back(scalar_item(sig.s));
  SignedTransaction out;
  out.raw = typed(eip1559_type, rlp::Item::list(std::move(fields)));
  out.hash = keccak256(out.raw);
  return out;
}

Hash32 LegacyTransaction::signing_hash() const {
  std::vector<rlp::Item> fields = legacy_fields(*this);
  // EIP-155: the chain id takes v's place, with r = s = 0, so the signature commits to the chain.
  fields.push_back(rlp::Item::uint(chain_id));
  fields.push_back(rlp::Item::uint(0));
  fields.push_back(rlp::Item::uint(0));
  return keccak256(rlp::encode(rlp::Item::list(std::move(fields))));
}

SignedTransaction LegacyTransaction::sign(const PrivateKey& key) const {
  Signature sig = sign_recoverable(key, signing_hash());
  std::vector<rlp::Item> fields = legacy_fields(*this);
  fields.push_back(rlp::Item::uint(chain_id * 2 + Uint256(35 + static_cast<uint64_t>(sig.recid))));
  fields.push_back(scalar_item(sig.r));
  fields.push_back(scalar_item(sig.s));
  SignedTransaction out;
  out.raw = rlp::encode(rlp::Item::list(std::move(fields)));
  out.hash = keccak256(out.raw);
  return out;
}

Hash32 transaction_hash(ByteView raw) { return keccak256(raw); }

}  // namespace pfs::crypto
