// Ethereum keystore v3 (Web3 Secret Storage): a private key encrypted under a password, as written by geth, ethers,
// MetaMask exports and the iexec SDK. Key derivation: scrypt (libsodium) or PBKDF2-HMAC-SHA256 (OpenSSL); cipher
// AES-128-CTR (OpenSSL) under the first 16 derived bytes; integrity: mac = keccak256(derived[16..32] || ciphertext),
// which is also how a wrong password is told apart from a corrupt file.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/secp256k1.hpp"

namespace pfs::crypto {

// A keystore is about 500 bytes; anything beyond this is refused before it is read whole or parsed.
inline constexpr std::size_t kMaxKeystoreBytes = 64 * 1024;

struct ScryptParams {
  uint64_t n = 131072;  // ethers' and the iexec SDK's default (128 MiB with r = 8)
  uint32_t r = 8;
  uint32_t p = 1;
};

// The keystore JSON text ({"address","id","version":3,"Crypto":{…}}, ethers' field names and order) with a fresh
// random salt, IV and UUID v4 id. EINVAL if params are not a valid scrypt setting (n a power of two >= 2, within
// the same limits decrypt_keystore accepts).
std::string encrypt_keystore(const PrivateKey& key, std::string_view password, const ScryptParams& params = {});

// Decrypts a keystore v3 JSON text. EACCES "wrong password (keystore MAC does not match)" when the MAC check fails;
// EINVAL naming the field for malformed JSON, missing or malformed fields, an unsupported kdf/cipher/prf, kdf
// parameters beyond sane limits (a hostile file must not make us allocate gigabytes: scrypt's 128·n·r bytes at
// most 1 GiB, its time n·r·p at most 2^23), a text over kMaxKeystoreBytes, or an "address" field that is not the
// decrypted key's address. No JSON library exception escapes (they become EINVAL without quoting the file). Accepts
// both "Crypto" (ethers) and "crypto" (geth).
PrivateKey decrypt_keystore(std::string_view json_text, std::string_view password);

// The "address" field (for showing a wallet without its password); nullopt when absent, EINVAL when malformed.
std::optional<Address> keystore_address(std::string_view json_text);

}  // namespace pfs::crypto
