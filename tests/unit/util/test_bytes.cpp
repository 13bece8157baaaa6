#include <catch2/catch.hpp>

#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/util/bytes.hpp"

using namespace pfs;

TEST_CASE("hex round-trips and refuses malformed text", "[util]") {
  CHECK(to_hex0x(from_hex("0xDEADbeef")) == "0xdeadbeef");
  CHECK(from_hex("").empty());
  CHECK_THROWS_AS(from_hex("0xabc"), Error);
  CHECK_THROWS_AS(from_hex("zz"), Error);
  CHECK_THROWS_AS(from_hex_fixed<20>("0x1234"), Error);
}

TEST_CASE("base64 is standard with padding and strict", "[util]") {
  Bytes key(32);
  for (int i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(i);
  CHECK(to_base64(key) == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  CHECK(from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=") == key);
  CHECK_THROWS_AS(from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"), Error);
  CHECK_THROWS_AS(from_base64("not base64!"), Error);
}

TEST_CASE("SHA-256 of 'abc'", "[crypto]") {
  CHECK(to_hex(crypto::Sha256::digest(as_bytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#include "protectedfs/format/crc32.hpp"

TEST_CASE("CRC-32 matches zip's check value", "[format]") {
  CHECK(format::Crc32::of(as_bytes("123456789")) == 0xCBF43926u);
  format::Crc32 split;
  split.update(as_bytes("1234"));
  split.update(as_bytes("56789"));
  CHECK(split.value() == 0xCBF43926u);
}
