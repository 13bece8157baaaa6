// iExec's result encryption (the post-compute's, which the SDK's utils.decryptResult opens): a fresh AES-256 key
// encrypts the result zip in CBC mode with PKCS#7 padding and a random IV written before the ciphertext; the key
// itself is encrypted with the beneficiary's RSA public key (PKCS#1 v1.5). Only the RSA private key opens it.
// The beneficiary's key pair is RSA 2048 in PEM: SubjectPublicKeyInfo ("BEGIN PUBLIC KEY", what the SMS keeps as
// iexec-result-encryption-public-key) and PKCS#8 ("BEGIN PRIVATE KEY", what the SDK's decryptResult reads).
#pragma once
#include <string>

#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

struct RsaKeyPair {
  std::string private_pem;
  std::string public_pem;
};

RsaKeyPair generate_result_key_pair();
// The PEM public key of a PEM private key (EINVAL if it is not an RSA one).
std::string public_key_of(const std::string& private_pem);

struct SealedResult {
  Bytes encrypted_key;  // aes-key.rsa: RSA-PKCS#1 v1.5 of the 32-byte AES key
  Bytes payload;        // iexec_out.zip.aes: IV (16 bytes) || AES-256-CBC/PKCS#7 of the result zip
};

// EINVAL for a public key that is not an RSA PEM public key.
SealedResult seal_result(ByteView result_zip, const std::string& public_pem);
// EINVAL for a key that is not an RSA PEM private key; EBADMSG when the key or the payload do not decrypt (another
// beneficiary's key, a damaged file). Also opens the legacy form whose aes-key.rsa is base64 text.
Bytes open_result(const SealedResult& sealed, const std::string& private_pem);

}  // namespace pfs::crypto
