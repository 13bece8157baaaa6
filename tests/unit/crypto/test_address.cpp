// Addresses: derivation from keys (vectors), EIP-55 formatting and strict parsing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
std::string parse_error(const std::string& text) {
  try {
    Address::parse(text);
  } catch (const Error& e) {
    CHECK(e.code() == EINVAL);
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("private key to checksummed address matches every reference vector", "[crypto]") {
  auto vectors = test::load_vectors("address.json");
  REQUIRE(vectors.size() >= 3);
  for (const auto& v : vectors) {
    std::string expected = v.at("address");
    PrivateKey key = PrivateKey::from_hex(v.at("private_key").get<std::string>());
    Address address = key.address();
    CHECK(address.to_string() == expected);
    CHECK(Address::from_private_key(key) == address);
    CHECK(Address::parse(expected) == address);
    CHECK(Address::parse(lower(expected)) == address);
    CHECK(address.to_lowercase() == lower(expected));
  }
}

TEST_CASE("EIP-55 examples round-trip", "[crypto]") {
  // From the EIP-55 specification.
  for (const char* text : {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                           "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"})
    CHECK(Address::parse(text).to_string() == text);
}

TEST_CASE("address parsing accepts single case and refuses bad checksums, lengths and digits", "[crypto]") {
  CHECK(Address::parse("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED").to_string() ==
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  CHECK(parse_error("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").find("address checksum-case mismatch: ") == 0);
  CHECK(parse_error("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").find("must start with 0x") != std::string::npos);
  CHECK(parse_error("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea").find("40 hex digits, got 38") != std::string::npos);
  CHECK(parse_error("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00").find("got 42") != std::string::npos);
  CHECK(parse_error("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg").find("non-hex character at position 41") !=
        std::string::npos);
  CHECK(!parse_error("").empty());
  CHECK(!parse_error("0x").empty());
  CHECK(!parse_error("0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").empty());
  CHECK_THROWS_AS(Address::from_bytes(Bytes(19, 0)), Error);
}

TEST_CASE("zero address and word form", "[crypto]") {
  CHECK(Address::zero().is_zero());
  CHECK(Address().to_string() == "0x0000000000000000000000000000000000000000");
  CHECK(Address::parse("0x0000000000000000000000000000000000000000") == Address::zero());
  Address a = Address::parse("0x1111111111111111111111111111111111111111");
  CHECK_FALSE(a.is_zero());
  auto word = a.to_word();
  CHECK(std::all_of(word.begin(), word.begin() + 12, [](uint8_t b) { return b == 0; }));
  CHECK(word[12] == 0x11);
}
