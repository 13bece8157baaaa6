// secp256k1 keys and recoverable signatures: validation of keys, round trips, and refusal of bad signatures.
#include <catch2/catch.hpp>

#include "vectors.hpp"

#include <algorithm>
#include <functional>

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/secp256k1.hpp"

using namespace pfs;
using namespace pfs::crypto;

namespace {
const std::string key1 = "0x0101010101010101010101010101010101010101010101010101010101010101";
const std::string curve_order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

}  // namespace

TEST_CASE("private keys outside 1..n-1 or of the wrong size are refused without echoing them", "[crypto]") {
  CHECK(test::errno_of([] { PrivateKey::from_hex("0x" + std::string(64, '0')); }) == EINVAL);
  CHECK(test::errno_of([] { PrivateKey::from_hex(curve_order); }) == EINVAL);           // n
  CHECK(test::errno_of([] { PrivateKey::from_hex(std::string(64, 'f')); }) == EINVAL);  // > n
  CHECK(test::errno_of([] { PrivateKey::from_hex("0x0101"); }) == EINVAL);              // too short
  CHECK(test::errno_of([] { PrivateKey::from_hex(key1 + "01"); }) == EINVAL);           // too long
  CHECK(test::errno_of([] { PrivateKey::from_bytes(Bytes(31, 1)); }) == EINVAL);
  std::string bad_hex = "0x01010101010101010101010101010101010101010101010101010101010101zz";
  try {
    PrivateKey::from_hex(bad_hex);
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == EINVAL);
    CHECK(std::string(e.what()).find("0101") == std::string::npos);  // the secret is not in the message
  }
  // n - 1 is the largest valid key.
  CHECK_NOTHROW(PrivateKey::from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"));
}

TEST_CASE("generated keys are valid, distinct and sign", "[crypto]") {
  PrivateKey a = PrivateKey::generate();
  PrivateKey b = PrivateKey::generate();
  CHECK(a.address() != b.address());
  Hash32 digest = keccak256(as_bytes("message"));
  CHECK(recover_address(digest, sign_recoverable(a, digest).to_rsv()) == a.address());
}

TEST_CASE("moving a private key wipes the source", "[crypto]") {
  PrivateKey a = PrivateKey::from_hex(key1);
  Address addr = a.address();
  PrivateKey b = std::move(a);
  CHECK(b.address() == addr);
  CHECK(std::all_of(a.secret_bytes().begin(), a.secret_bytes().end(), [](uint8_t x) { return x == 0; }));  // NOLINT
  CHECK_THROWS_AS(a.public_key(), Error);  // NOLINT(bugprone-use-after-move): deliberately
}

TEST_CASE("public keys parse in every SEC1 form and match the private key", "[crypto]") {
  PrivateKey key = PrivateKey::from_hex(key1);
  PublicKey pub = key.public_key();
  CHECK(PublicKey::parse(pub.uncompressed()) == pub);
  CHECK(PublicKey::parse(pub.compressed()) == pub);
  CHECK(PublicKey::parse(pub.xy()) == pub);
  CHECK(Address::from_public_key(pub) == key.address());
  CHECK_THROWS_AS(PublicKey::parse(Bytes(65, 0)), Error);
  CHECK_THROWS_AS(PublicKey::parse(Bytes(10, 4)), Error);
}

TEST_CASE("signatures are deterministic, low-s and recover their signer", "[crypto]") {
  PrivateKey key = PrivateKey::from_hex(key1);
  Hash32 digest = keccak256(as_bytes("protectedfs"));
  Signature a = sign_recoverable(key, digest), b = sign_recoverable(key, digest);
  CHECK(a.to_rsv() == b.to_rsv());
  CHECK(a.s[0] < 0x80);  // s <= n/2
  auto rsv = a.to_rsv();
  CHECK((rsv[64] == 27 || rsv[64] == 28));
  CHECK(recover_address(digest, rsv) == key.address());
  // v = 0/1 is accepted as well as 27/28.
  rsv[64] = static_cast<uint8_t>(rsv[64] - 27);
  CHECK(recover_address(digest, rsv) == key.address());
  Signature back = Signature::from_rsv(rsv);
  CHECK(back.r == a.r);
  CHECK(back.s == a.s);
  CHECK(back.recid == a.recid);
  // A different digest recovers someone else.
  CHECK(recover_address(keccak256(as_bytes("other")), a.to_rsv()) != key.address());
}

TEST_CASE("malformed signatures are refused with EINVAL", "[crypto]") {
  PrivateKey key = PrivateKey::from_hex(key1);
  Hash32 digest = keccak256(as_bytes("protectedfs"));
  auto good = sign_recoverable(key, digest).to_rsv();

  CHECK(test::errno_of([&] { recover_address(digest, ByteView(good).first(64)); }) == EINVAL);
  CHECK(test::errno_of([&] { recover_address(digest, Bytes(66, 1)); }) == EINVAL);
  auto bad_v = good;
  bad_v[64] = 29;
  CHECK(test::errno_of([&] { recover_address(digest, bad_v); }) == EINVAL);
  auto zero_r = good;
  std::fill(zero_r.begin(), zero_r.begin() + 32, 0);
  CHECK(test::errno_of([&] { recover_address(digest, zero_r); }) == EINVAL);
  auto zero_s = good;
  std::fill(zero_s.begin() + 32, zero_s.begin() + 64, 0);
  CHECK(test::errno_of([&] { recover_address(digest, zero_s); }) == EINVAL);
  auto big_s = good;  // s = n: not below the curve order
  auto n = from_hex(curve_order);
  std::copy(n.begin(), n.end(), big_s.begin() + 32);
  CHECK(test::errno_of([&] { recover_address(digest, big_s); }) == EINVAL);
  auto big_r = good;  // r = 2^256 - 1
  std::fill(big_r.begin(), big_r.begin() + 32, 0xff);
  CHECK(test::errno_of([&] { recover_address(digest, big_r); }) == EINVAL);
}
