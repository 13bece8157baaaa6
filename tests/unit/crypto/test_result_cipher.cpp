// iExec's result encryption (the post-compute's format, the one the SDK's utils.decryptResult opens): round trip,
// only the right key opens it, the legacy base64 key form is read too, and the envelope zip around it.
#include <catch2/catch.hpp>

#include "protectedfs/crypto/result_cipher.hpp"
#include "protectedfs/network/task_result.hpp"
#include "protectedfs/util/error.hpp"
#include "vectors.hpp"

using namespace pfs;

TEST_CASE("result cipher: AES-256-CBC with the IV first, the key under RSA PKCS#1 v1.5", "[crypto][result]") {
  const crypto::RsaKeyPair pair = crypto::generate_result_key_pair();
  CHECK(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
  CHECK(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  CHECK(crypto::public_key_of(pair.private_pem) == pair.public_pem);
  const Bytes zip = to_bytes(std::string(1000, 'z') + "result");
  const crypto::SealedResult sealed = crypto::seal_result(zip, pair.public_pem);
  CHECK(sealed.encrypted_key.size() == 256);                        // RSA 2048
  CHECK(sealed.payload.size() == 16 + (zip.size() / 16 + 1) * 16);  // IV + PKCS#7-padded ciphertext
  CHECK(crypto::open_result(sealed, pair.private_pem) == zip);
  // Two seals of the same result differ (fresh key and IV).
  CHECK(crypto::seal_result(zip, pair.public_pem).payload != sealed.payload);

  const crypto::RsaKeyPair other = crypto::generate_result_key_pair();
  CHECK(test::errno_of([&] { crypto::open_result(sealed, other.private_pem); }) == EBADMSG);
  crypto::SealedResult damaged = sealed;
  // The last byte of the block before the last: CBC XORs it into the padding byte (2 here), which becomes 0x42 and
  // is refused every time (flipping the last byte itself left valid padding 0x01 once in ~256 runs).
  damaged.payload[damaged.payload.size() - 17] ^= 0x40;
  CHECK(test::errno_of([&] { crypto::open_result(damaged, pair.private_pem); }) == EBADMSG);
  CHECK(test::errno_of([&] { crypto::seal_result(zip, "not a key"); }) == EINVAL);
  CHECK(test::errno_of([&] { crypto::open_result(sealed, pair.public_pem); }) == EINVAL);
}

TEST_CASE("result envelope: aes-key.rsa and iexec_out.zip.aes in a zip", "[crypto][result]") {
  const crypto::RsaKeyPair pair = crypto::generate_result_key_pair();
  const Bytes zip = to_bytes("PK fake result zip");
  const Bytes envelope = network::seal_result_envelope(zip, pair.public_pem);
  CHECK(network::is_result_envelope(envelope));
  CHECK_FALSE(network::is_result_envelope(zip));
  CHECK(network::open_result_envelope(envelope, pair.private_pem) == zip);
  CHECK(test::errno_of([&] { network::open_result_envelope(zip, pair.private_pem); }) == EBADMSG);
}
