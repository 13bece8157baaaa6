// Signed transactions (EIP-1559 and legacy EIP-155) against the reference vectors, plus a decode of what we send.
#include <catch2/catch.hpp>

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/rlp.hpp"
#include "protectedfs/crypto/transaction.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;

TEST_CASE("signed transactions match every reference vector", "[crypto]") {
  auto vectors = test::load_vectors("transactions.json");
  REQUIRE(vectors.size() >= 3);
  for (const auto& v : vectors) {
    const auto& tx = v.at("tx");
    PrivateKey key = PrivateKey::from_hex(v.at("signer_private_key").get<std::string>());
    int type = tx.at("type").get<int>();
    INFO("type " << type << " chain " << tx.at("chainId"));
    auto number = [&](const char* field) { return Uint256::from_decimal(tx.at(field).get<std::string>()); };
    Address to = Address::parse(tx.at("to").get<std::string>());
    Bytes data = from_hex(tx.at("data").get<std::string>());
    Hash32 unsigned_hash;
    SignedTransaction signed_tx;
    if (type == 2) {
      Eip1559Transaction t{tx.at("chainId").get<uint64_t>(),
                           tx.at("nonce").get<uint64_t>(),
                           number("maxPriorityFeePerGas"),
                           number("maxFeePerGas"),
                           number("gasLimit"),
                           to,
                           number("value"),
                           data};
      unsigned_hash = t.signing_hash();
      signed_tx = t.sign(key);
    } else {
      REQUIRE(type == 0);
      LegacyTransaction t{tx.at("chainId").get<uint64_t>(),
                          tx.at("nonce").get<uint64_t>(),
                          number("gasPrice"),
                          number("gasLimit"),
                          to,
                          number("value"),
                          data};
      unsigned_hash = t.signing_hash();
      signed_tx = t.sign(key);
    }
    CHECK(to_hex0x(unsigned_hash) == v.at("unsigned_hash").get<std::string>());
    CHECK(to_hex0x(signed_tx.raw) == v.at("raw_signed").get<std::string>());
    CHECK(to_hex0x(signed_tx.hash) == v.at("tx_hash").get<std::string>());
    CHECK(transaction_hash(signed_tx.raw) == signed_tx.hash);
  }
}

TEST_CASE("a signed EIP-1559 transaction decodes back and recovers its sender", "[crypto]") {
  PrivateKey key = PrivateKey::from_hex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  Eip1559Transaction tx{31337, 5, 1, 2000000000, 30000, std::nullopt, 0, Bytes{0x60, 0x00}};  // contract creation
  SignedTransaction s = tx.sign(key);
  REQUIRE(s.raw.at(0) == 0x02);
  rlp::Item body = rlp::decode(ByteView(s.raw).subspan(1));
  const auto& fields = body.as_list();
  REQUIRE(fields.size() == 12);
  CHECK(fields[0].as_uint().to_uint64() == 31337);
  CHECK(fields[5].as_bytes().empty());  // no "to"
  CHECK(fields[8].as_list().empty());   // access list
  std::array<uint8_t, 65> rsv{};
  auto r = fields[10].as_uint().bytes(), sv = fields[11].as_uint().bytes();
  std::copy(r.begin(), r.end(), rsv.begin());
  std::copy(sv.begin(), sv.end(), rsv.begin() + 32);
  rsv[64] = static_cast<uint8_t>(fields[9].as_uint().to_uint64());
  CHECK(recover_address(tx.signing_hash(), rsv) == key.address());
}

TEST_CASE("legacy transactions need a chain id and encode a large one in v", "[crypto]") {
  PrivateKey key = PrivateKey::from_hex("0x0101010101010101010101010101010101010101010101010101010101010101");
  LegacyTransaction tx{0, 0, 0, 21000, Address(), 1, {}};
  CHECK_THROWS_AS(tx.sign(key), Error);
  tx.chain_id = 421614;
  rlp::Item body = rlp::decode(tx.sign(key).raw);
  uint64_t v = body.as_list()[6].as_uint().to_uint64();
  CHECK((v == 35 + 2 * 421614 || v == 36 + 2 * 421614));
}
