// EIP-191 personal_sign and the SMS challenge built on it, against the reference vectors.
#include <catch2/catch.hpp>

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/personal_sign.hpp"
#include "protectedfs/crypto/sms_challenge.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;

TEST_CASE("personal_sign matches every reference vector", "[crypto]") {
  auto vectors = test::load_vectors("personal_sign.json");
  REQUIRE(vectors.size() >= 2);
  for (const auto& v : vectors) {
    Bytes message = v.contains("message_hex") ? from_hex(v.at("message_hex").get<std::string>())
                                              : to_bytes(v.at("message_utf8").get<std::string>());
    PrivateKey key = PrivateKey::from_hex(v.at("private_key").get<std::string>());
    auto signature = personal_sign(key, message);
    CHECK(to_hex0x(signature) == v.at("signature").get<std::string>());
    CHECK(recover_personal_signer(message, signature) == key.address());
  }
}

TEST_CASE("the EIP-191 prefix uses the decimal byte length", "[crypto]") {
  std::string message(1000, 'x');
  CHECK(hash_personal_message(as_bytes(message)) == keccak256(as_bytes("\x19"
                                                                       "Ethereum Signed Message:\n1000" +
                                                                       message)));
  CHECK(hash_personal_message({}) == keccak256(as_bytes("\x19"
                                                        "Ethereum Signed Message:\n0")));
}

TEST_CASE("SMS challenge and authorization match every reference vector", "[crypto]") {
  auto vectors = test::load_vectors("sms_challenge.json");
  REQUIRE(vectors.size() >= 2);
  for (const auto& v : vectors) {
    Address dataset = Address::parse(v.at("secret_address").get<std::string>());
    std::string value = v.at("secret_value");
    PrivateKey owner = PrivateKey::from_hex(v.at("signer_private_key").get<std::string>());
    CHECK(to_hex0x(sms_challenge(dataset, value)) == v.at("challenge").get<std::string>());
    std::string authorization = sms_authorization(owner, dataset, value);
    CHECK(authorization == v.at("authorization").get<std::string>());
    CHECK(sms_authorization_signer(authorization, dataset, value) == owner.address());
    // Bound to the dataset and to the body: another body or dataset gives another signer.
    CHECK(sms_authorization_signer(authorization, dataset, value + "x") != owner.address());
    CHECK(sms_authorization_signer(authorization, Address(), value) != owner.address());
  }
}

TEST_CASE("malformed SMS authorizations are refused", "[crypto]") {
  Address dataset = Address::parse("0x1111111111111111111111111111111111111111");
  CHECK_THROWS_AS(sms_authorization_signer("", dataset, "k"), Error);
  CHECK_THROWS_AS(sms_authorization_signer("0x1234", dataset, "k"), Error);
  CHECK_THROWS_AS(sms_authorization_signer(std::string(130, 'a') + "1b", dataset, "k"), Error);  // no 0x
  CHECK_THROWS_AS(sms_authorization_signer("0x" + std::string(128, 'a') + "zz", dataset, "k"), Error);
}
