// The one key derivation against vectors computed independently (Python's hashlib.blake2b(key=…, digest_size=32)):
// staged files and every derived key depend on it staying the same.
#include <catch2/catch.hpp>

#include <numeric>

#include "protectedfs/crypto/kdf.hpp"
#include "vectors.hpp"

using namespace pfs;

namespace {

std::array<uint8_t, 32> counting_key() {
  std::array<uint8_t, 32> key;
  std::iota(key.begin(), key.end(), uint8_t{0});
  return key;
}

}  // namespace

TEST_CASE("derive_key is keyed BLAKE2b-256 over the context then the data", "[crypto]") {
  const auto key = counting_key();
  CHECK(to_hex(crypto::derive_key(key, "protectedfs test context")) ==
        "b3898a17ee7e41f031a03a36072c5aa2726ba3508a2b8579b82ee36b06b269cb");
  CHECK(to_hex(crypto::derive_key(key, "ctx", as_bytes("data"))) ==
        "d2c4641fc8b9620107135b26e35da9351abdb9c8c93d6706464101296437bbb1");
  // The context and the data are one message: only the context names the use.
  CHECK(crypto::derive_key(key, "ctxdata") == crypto::derive_key(key, "ctx", as_bytes("data")));
  CHECK(crypto::derive_key(key, "other") != crypto::derive_key(key, "protectedfs test context"));
}

TEST_CASE("derive_key refuses keys BLAKE2b cannot take", "[crypto]") {
  const Bytes short_key(15, 1);
  const Bytes long_key(65, 1);
  CHECK(test::errno_of([&] { crypto::derive_key(short_key, "c"); }) == EINVAL);
  CHECK(test::errno_of([&] { crypto::derive_key(long_key, "c"); }) == EINVAL);
}
