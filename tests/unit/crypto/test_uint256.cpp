// Uint256: strict parsing (decimal, hex), formatting, byte forms and checked arithmetic.
#include <catch2/catch.hpp>

#include "protectedfs/crypto/uint256.hpp"

using namespace pfs;
using namespace pfs::crypto;

namespace {
const std::string max_decimal = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
}

TEST_CASE("Uint256 parses and prints decimal and hex", "[crypto]") {
  CHECK(Uint256::from_decimal("0").is_zero());
  CHECK(Uint256::from_decimal("000").is_zero());
  CHECK(Uint256::from_decimal("1000000000").to_decimal() == "1000000000");
  CHECK(Uint256::from_decimal("0042").to_decimal() == "42");
  CHECK(Uint256::from_decimal(max_decimal) == Uint256::max());
  CHECK(Uint256::max().to_decimal() == max_decimal);
  CHECK(Uint256::from_decimal("9007199254740991").to_uint64() == 9007199254740991ull);
  CHECK(Uint256::from_hex("0x1a").to_uint64() == 26);
  CHECK(Uint256::from_hex("0X1A").to_uint64() == 26);
  CHECK(Uint256::from_hex("ff").to_uint64() == 255);
  CHECK(Uint256::from_hex("0x" + std::string(64, 'f')) == Uint256::max());
  CHECK(Uint256::from_hex("0x000" + std::string(64, 'f')) == Uint256::max());
  CHECK(Uint256::parse("0x10").to_uint64() == 16);
  CHECK(Uint256::parse("10").to_uint64() == 10);
  CHECK(Uint256().to_hex() == "0x0");
  CHECK(Uint256(421614).to_hex() == "0x66eee");
  CHECK(Uint256::from_decimal("97433442488726861213578988847752201310395502865").to_hex() ==
        "0x1111111111111111111111111111111111111111");
}

TEST_CASE("Uint256 refuses garbage and overflow with EINVAL", "[crypto]") {
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "12abc", "1.5", "1e9", "0x", "1h"}) {
    INFO(bad);
    try {
      Uint256::from_decimal(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == EINVAL);
    }
  }
  for (const char* bad : {"", "0x", "0xg", "0x1 ", "-0x1"}) {
    INFO(bad);
    CHECK_THROWS_AS(Uint256::from_hex(bad), Error);
  }
  try {
    Uint256::from_decimal("115792089237316195423570985008687907853269984665640564039457584007913129639936");  // 2^256
    FAIL("accepted 2^256");
  } catch (const Error& e) {
    CHECK(e.code() == EINVAL);
  }
  CHECK_THROWS_AS(Uint256::from_decimal(std::string(200, '9')), Error);
  CHECK_THROWS_AS(Uint256::from_hex("0x1" + std::string(64, '0')), Error);
  CHECK_THROWS_AS(Uint256::from_be_bytes(Bytes(33, 1)), Error);
}

TEST_CASE("Uint256 byte forms", "[crypto]") {
  Uint256 v(0x0102);
  CHECK(v.bytes()[30] == 1);
  CHECK(v.bytes()[31] == 2);
  CHECK(v.to_minimal_bytes() == Bytes{1, 2});
  CHECK(Uint256().to_minimal_bytes().empty());
  CHECK(Uint256::from_be_bytes(Bytes{0, 0, 1, 2}) == v);
  CHECK(Uint256::from_be_bytes({}).is_zero());
  CHECK_FALSE(Uint256::max().fits_uint64());
  CHECK_THROWS_AS(Uint256::max().to_uint64(), Error);
}

TEST_CASE("Uint256 arithmetic is checked and ordering is numeric", "[crypto]") {
  CHECK((Uint256(2) + Uint256(3)).to_uint64() == 5);
  CHECK((Uint256(10) - Uint256(3)).to_uint64() == 7);
  CHECK((Uint256(1000000000) * Uint256(1000000000)).to_decimal() == "1000000000000000000");
  CHECK((Uint256::from_decimal("18446744073709551615") + Uint256(1)).to_decimal() == "18446744073709551616");
  try {
    (void)(Uint256(1) - Uint256(2));
    FAIL("negative result accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ERANGE);
  }
  CHECK_THROWS_AS(Uint256::max() + Uint256(1), Error);
  CHECK_THROWS_AS(Uint256::max() * Uint256(2), Error);
  CHECK(Uint256(255) < Uint256(256));
  CHECK(Uint256::from_hex("0x100") > Uint256(255));
  CHECK(Uint256(7) == Uint256::from_decimal("7"));
  int negative = -1;
  CHECK_THROWS_AS(Uint256(negative), Error);
  CHECK(Uint256(uint64_t{0xffffffffffffffff}).to_decimal() == "18446744073709551615");
}
