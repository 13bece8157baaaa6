// EIP-712 typed-data hashing and signing, for what iExec uses: PoCo orders (DatasetOrder now; AppOrder,
// WorkerpoolOrder and RequestOrder are flat structs too and only need a struct + a to_struct() like DatasetOrder's)
// and the market API login `Challenge(string challenge)`.
//
// hash = keccak256(0x19 0x01 || domainSeparator || hashStruct(message)), hashStruct(s) = keccak256(typeHash ||
// encodeData(s)), typeHash = keccak256("Name(type1 name1,type2 name2,…)"). Members are encoded as 32-byte words:
// address left-padded, uint256 big-endian, bytes32 as is, string/bytes as the keccak256 of their content.
#pragma once
#include <array>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

// One flat EIP-712 struct being described and encoded, member by member, in declaration order.
class TypedStruct {
 public:
  explicit TypedStruct(std::string_view struct_name);

  TypedStruct& address(std::string_view name, const Address& value);
  TypedStruct& uint256(std::string_view name, const Uint256& value);
  TypedStruct& bytes32(std::string_view name, const Hash32& value);
  TypedStruct& string(std::string_view name, std::string_view value);
  TypedStruct& bytes(std::string_view name, ByteView value);
  // Any other static type already encoded as its 32-byte word (e.g. "bool", "uint8", "bytes4").
  TypedStruct& word(std::string_view type, std::string_view name, const std::array<uint8_t, 32>& value);

  std::string encode_type() const;  // "Name(type1 name1,…)"
  Hash32 type_hash() const;
  Hash32 hash_struct() const;  // keccak256(typeHash || encodeData)

 private:
  TypedStruct& member(std::string_view type, std::string_view name, ByteView word);
  std::string name_;
  std::string members_;  // "type1 name1,type2 name2"
  Bytes data_;           // encodeData: one 32-byte word per member
};

// A type that can describe itself as a TypedStruct can be hashed and signed with the functions below.
template <class T>
concept Eip712Struct = requires(const T& value) {
  { value.to_struct() } -> std::same_as<TypedStruct>;
};

struct Eip712Domain {
  std::string name;
  std::string version;
  Uint256 chain_id;
  std::optional<Address> verifying_contract;  // absent in the market login domain

  TypedStruct to_struct()
      const;  // "EIP712Domain(string name,string version,uint256 chainId[,address verifyingContract])"
  Hash32 separator() const { return to_struct().hash_struct(); }
  // {"name","version","chainId" (number, decimal or 0x string), optional "verifyingContract"}; EINVAL naming the
  // field for anything missing, malformed or unsupported (e.g. "salt").
  static Eip712Domain from_json(const nlohmann::json& domain);
};

// The PoCo domain orders are signed in: {name "iExecODB", version "5.0.0", chainId, verifyingContract = hub}.
Eip712Domain poco_domain(const Uint256& chain_id, const Address& hub);

Hash32 typed_data_hash(const Hash32& domain_separator, const Hash32& struct_hash);
inline Hash32 typed_data_hash(const Eip712Domain& domain, const TypedStruct& message) {
  return typed_data_hash(domain.separator(), message.hash_struct());
}
template <Eip712Struct T>
Hash32 typed_data_hash(const Eip712Domain& domain, const T& message) {
  return typed_data_hash(domain, message.to_struct());
}
// 65 bytes r || s || v (v = 27/28), identical to ethers' signTypedData.
std::array<uint8_t, 65> sign_typed_data(const PrivateKey& key, const Eip712Domain& domain, const TypedStruct& message);
template <Eip712Struct T>
std::array<uint8_t, 65> sign_typed_data(const PrivateKey& key, const Eip712Domain& domain, const T& message) {
  return sign_typed_data(key, domain, message.to_struct());
}

// PoCo's grant of access to a dataset (PROTOCOL.md §4).
struct DatasetOrder {
  Address dataset;
  Uint256 datasetprice;  // nRLC per access
  Uint256 volume;        // number of accesses
  Hash32 tag{};          // required TEE features, e.g. 0x…09
  Address apprestrict;
  Address workerpoolrestrict;
  Address requesterrestrict;
  Hash32 salt{};  // random, makes each order (and its hash) unique

  TypedStruct to_struct() const;
  static Hash32 type_hash() { return DatasetOrder().to_struct().type_hash(); }
  Hash32 struct_hash() const { return to_struct().hash_struct(); }
  Hash32 hash(const Eip712Domain& domain) const { return typed_data_hash(domain, *this); }  // PoCo's order hash
  std::array<uint8_t, 65> sign(const PrivateKey& key, const Eip712Domain& domain) const {
    return sign_typed_data(key, domain, *this);
  }

  // The market API's JSON form: every member as a string (numbers in decimal, addresses checksummed). from_json
  // also accepts JSON numbers for the uint256 members and ignores other keys (e.g. "sign"); EINVAL naming the field.
  nlohmann::json to_json() const;
  static DatasetOrder from_json(const nlohmann::json& order);
};

// ---- market API login (GET {market}/challenge → sign → "authorization" header) ----

struct MarketChallenge {
  std::string challenge;
  TypedStruct to_struct() const { return TypedStruct("Challenge").string("challenge", challenge); }
};

// The domain the market API uses: {name "iExec Gateway", version "1", chainId}, no verifyingContract.
Eip712Domain market_login_domain(const Uint256& chain_id);

// The typed data the market returns ({types, domain, primaryType "Challenge", message {challenge}}, possibly wrapped
// in {"ok":true,"data":…}); EINVAL unless it is exactly a Challenge(string challenge) request.
struct MarketLoginRequest {
  Eip712Domain domain;
  MarketChallenge message;
  static MarketLoginRequest from_json(const nlohmann::json& typed_data);
};

// "<0x typed-data hash>_<0x 65-byte signature>_<EIP-55 signer address>"
std::string market_authorization(const PrivateKey& key, const Eip712Domain& domain, const MarketChallenge& message);

}  // namespace pfs::crypto
