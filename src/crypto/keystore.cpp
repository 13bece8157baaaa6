#include "protectedfs/crypto/keystore.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <climits>
#include <memory>
#include <nlohmann/json.hpp>

#include "crypto/detail.hpp"
#include "crypto/json_fields.hpp"
#include "protectedfs/crypto/keccak.hpp"

namespace pfs::crypto {
namespace {

using nlohmann::json;

// Limits on what a keystore may ask of us. Real wallets use scrypt n <= 2^18 (geth's "standard"), r = 8, p = 1 and
// PBKDF2 c = 262144; the limits leave room above that while refusing a file that would take gigabytes or hours.
constexpr uint64_t max_scrypt_memory = uint64_t{1} << 30;  // 128 * n * r bytes
constexpr uint64_t max_scrypt_p = 16;
// scrypt's time is proportional to n * r * p (p runs the memory-hard mix p times over): 2^23 is 1 GiB worth of
// mixing, a few seconds, eight times geth's "standard" n = 2^18, r = 8, p = 1.
constexpr uint64_t max_scrypt_work = uint64_t{1} << 23;
constexpr uint64_t max_pbkdf2_iterations = 10'000'000;
constexpr std::size_t derived_key_size = 32;  // 16 bytes AES-128 key + 16 bytes MAC key

// Secret buffers are wiped however the function is left.
template <std::size_t N>
struct SecretArray {
  std::array<uint8_t, N> bytes{};
  ~SecretArray() { wipe(bytes); }
};

struct SecretBytes {
  Bytes bytes;
  ~SecretBytes() { wipe(bytes); }
};

const std::string what = "keystore";

void check_scrypt(uint64_t n, uint64_t r, uint64_t p) {
  if (n < 2 || (n & (n - 1)) != 0)
    throw Error(EINVAL, "keystore field \"kdfparams.n\" must be a power of two >= 2, got " + std::to_string(n));
  if (r < 1 || p < 1) throw Error(EINVAL, "keystore fields \"kdfparams.r\" and \"kdfparams.p\" must be >= 1");
  if (p > max_scrypt_p) throw Error(EINVAL, "keystore field \"kdfparams.p\" is too large: " + std::to_string(p));
  if (r > max_scrypt_memory / 128 || n > max_scrypt_memory / 128 / r)
    throw Error(EINVAL, "keystore scrypt parameters n=" + std::to_string(n) + " r=" + std::to_string(r) +
                            " need more than 1 GiB of memory");
  if (n * r > max_scrypt_work / p)
    throw Error(EINVAL, "keystore scrypt parameters n=" + std::to_string(n) + " r=" + std::to_string(r) +
                            " p=" + std::to_string(p) + " would take minutes (n*r*p above 2^23)");
}

SecretArray<derived_key_size> scrypt(std::string_view password, ByteView salt, uint64_t n, uint32_t r, uint32_t p) {
  check_scrypt(n, r, p);
  SecretArray<derived_key_size> out;
  static const uint8_t empty = 0;  // libsodium wants non-null pointers even for empty inputs
  const auto* pass = password.empty() ? &empty : reinterpret_cast<const uint8_t*>(password.data());
  if (crypto_pwhash_scryptsalsa208sha256_ll(pass, password.size(), salt.empty() ? &empty : salt.data(), salt.size(), n,
                                            r, p, out.bytes.data(), out.bytes.size()) != 0)
    throw Error(ENOMEM, "scrypt key derivation failed (n=" + std::to_string(n) + " r=" + std::to_string(r) + ")");
  return out;
}

SecretArray<derived_key_size> pbkdf2(std::string_view password, ByteView salt, uint64_t iterations) {
  if (iterations < 1 || iterations > max_pbkdf2_iterations)
    throw Error(EINVAL, "keystore field \"kdfparams.c\" is out of range: " + std::to_string(iterations));
  if (password.size() > INT_MAX || salt.size() > INT_MAX) throw Error(EINVAL, "keystore password or salt too long");
  SecretArray<derived_key_size> out;
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(), static_cast<int>(salt.size()),
                        static_cast<int>(iterations), EVP_sha256(), static_cast<int>(out.bytes.size()),
                        out.bytes.data()) != 1)
    throw Error(EIO, "PBKDF2 key derivation failed");
  return out;
}

// AES-128-CTR is its own inverse: the same call encrypts and decrypts.
void aes128_ctr(ByteView key, ByteView iv, ByteView in, uint8_t* out) {
  std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0, final_length = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key.data(), iv.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out, &length, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + length, &final_length) != 1)
    throw Error(EIO, "AES-128-CTR failed");
}

Hash32 keystore_mac(ByteView derived, ByteView ciphertext) {
  return Keccak256().update(derived.subspan(16, 16)).update(ciphertext).finish();
}

json parse_json(std::string_view text) {
  if (text.size() > kMaxKeystoreBytes)
    throw Error(EINVAL,
                "keystore is larger than " + std::to_string(kMaxKeystoreBytes / 1024) + " KiB: not a wallet file");
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // Only the position: the parser's message may quote content from the file.
    throw Error(EINVAL, "keystore is not valid JSON (error at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception&) {
    // A number out of range (1e400) and the like: the parser's message quotes the file, so it is not repeated.
    throw Error(EINVAL, "keystore is not valid JSON (a value out of range)");
  }
}

// Every nlohmann exception of a keystore's reading (a type or range the checks above missed) is a malformed file,
// EINVAL without the library's message (it may quote the file).
template <typename Body>
auto json_guarded(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const json::exception&) {
    throw Error(EINVAL, "keystore has a malformed field");
  }
}

Bytes require_hex(const json& object, const char* key, const std::string& where, std::size_t expected_size = 0) {
  std::string text = detail::require_string(object, key, where);
  Bytes out = detail::with_field(key, where, [&] { return from_hex(text); });
  if (expected_size && out.size() != expected_size)
    throw Error(EINVAL, where + ": field \"" + key + "\" must be " + std::to_string(expected_size) + " bytes, got " +
                            std::to_string(out.size()));
  return out;
}

uint64_t require_unsigned(const json& object, const char* key, const std::string& where) {
  const json& value = detail::require_field(object, key, where);
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0))
    throw Error(EINVAL, where + ": field \"" + key + "\" must be a non-negative integer");
  return value.get<uint64_t>();
}

uint32_t require_u32(const json& object, const char* key, const std::string& where) {
  uint64_t value = require_unsigned(object, key, where);
  if (value > UINT32_MAX) throw Error(EINVAL, where + ": field \"" + key + "\" is too large");
  return static_cast<uint32_t>(value);
}

// The keystore's "address" field: 40 hex digits, with or without 0x, in any case.
std::optional<Address> address_field(const json& root) {
  if (!root.contains("address")) return std::nullopt;
  std::string text = detail::require_string(root, "address", what);
  return detail::with_field("address", what, [&] { return Address::from_bytes(from_hex(text)); });
}

std::string uuid_v4() {
  auto id = random_array<16>();
  id[6] = static_cast<uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
  id[8] = static_cast<uint8_t>((id[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = to_hex(id);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace

std::string encrypt_keystore(const PrivateKey& key, std::string_view password, const ScryptParams& params) {
  auto salt = random_array<32>();
  auto iv = random_array<16>();
  auto derived = scrypt(password, salt, params.n, params.r, params.p);
  std::array<uint8_t, 32> ciphertext;
  aes128_ctr(ByteView(derived.bytes).first(16), iv, key.secret_bytes(), ciphertext.data());

  nlohmann::ordered_json kdfparams = {
      {"salt", to_hex(salt)}, {"n", params.n}, {"dklen", derived_key_size}, {"p", params.p}, {"r", params.r}};
  nlohmann::ordered_json crypto = {
      {"cipher", "aes-128-ctr"},          {"cipherparams", {{"iv", to_hex(iv)}}},
      {"ciphertext", to_hex(ciphertext)}, {"kdf", "scrypt"},
      {"kdfparams", kdfparams},           {"mac", to_hex(keystore_mac(derived.bytes, ciphertext))}};
  nlohmann::ordered_json root = {
      {"address", to_hex(key.address().bytes())}, {"id", uuid_v4()}, {"version", 3}, {"Crypto", crypto}};
  return root.dump();
}

namespace {

PrivateKey decrypt_keystore_json(std::string_view json_text, std::string_view password) {
  json root = parse_json(json_text);
  detail::require_object(root, what);
  const json& version = detail::require_field(root, "version", what);
  if (!version.is_number_integer() || version.get<int64_t>() != 3)
    throw Error(EINVAL, "keystore field \"version\" must be 3 (only keystore v3 is supported)");
  std::optional<Address> expected_address = address_field(root);

  // ethers writes "Crypto", geth "crypto"; Go's decoder takes either, so we do too.
  if (root.contains("crypto") && root.contains("Crypto"))
    throw Error(EINVAL, "keystore has both \"crypto\" and \"Crypto\" fields");
  const char* crypto_key = root.contains("Crypto") ? "Crypto" : "crypto";
  const std::string where = std::string("keystore field \"") + crypto_key + "\"";
  const json& crypto = detail::require_object(detail::require_field(root, crypto_key, what), where);

  std::string cipher = detail::require_string(crypto, "cipher", where);
  if (cipher != "aes-128-ctr")
    throw Error(EINVAL, where + ": unsupported cipher " + detail::quoted(cipher) + " (only aes-128-ctr)");
  const json& cipherparams =
      detail::require_object(detail::require_field(crypto, "cipherparams", where), where + ".cipherparams");
  Bytes iv = require_hex(cipherparams, "iv", where + ".cipherparams", 16);
  Bytes ciphertext = require_hex(crypto, "ciphertext", where, 32);
  Bytes mac = require_hex(crypto, "mac", where, 32);

  std::string kdf = detail::require_string(crypto, "kdf", where);
  const std::string params_where = where + ".kdfparams";
  const json& kdfparams = detail::require_object(detail::require_field(crypto, "kdfparams", where), params_where);
  if (require_unsigned(kdfparams, "dklen", params_where) != derived_key_size)
    throw Error(EINVAL, params_where + ": field \"dklen\" must be 32");
  Bytes salt = require_hex(kdfparams, "salt", params_where);
  SecretArray<derived_key_size> derived;
  if (kdf == "scrypt") {
    derived = scrypt(password, salt, require_unsigned(kdfparams, "n", params_where),
                     require_u32(kdfparams, "r", params_where), require_u32(kdfparams, "p", params_where));
  } else if (kdf == "pbkdf2") {
    std::string prf = detail::require_string(kdfparams, "prf", params_where);
    if (prf != "hmac-sha256")
      throw Error(EINVAL, params_where + ": unsupported prf " + detail::quoted(prf) + " (only hmac-sha256)");
    derived = pbkdf2(password, salt, require_unsigned(kdfparams, "c", params_where));
  } else {
    throw Error(EINVAL, where + ": unsupported kdf " + detail::quoted(kdf) + " (scrypt or pbkdf2)");
  }

  // Constant-time comparison: the MAC is the password check.
  Hash32 computed = keystore_mac(derived.bytes, ciphertext);
  if (CRYPTO_memcmp(computed.data(), mac.data(), computed.size()) != 0)
    throw Error(EACCES, "wrong password (keystore MAC does not match)");

  SecretBytes plain{Bytes(ciphertext.size())};
  aes128_ctr(ByteView(derived.bytes).first(16), iv, ciphertext, plain.bytes.data());
  std::optional<PrivateKey> key;
  try {
    key.emplace(PrivateKey::from_bytes(plain.bytes));
  } catch (const Error&) {
    throw Error(EINVAL, "keystore decrypts to an invalid private key");
  }
  if (expected_address && key->address() != *expected_address)
    throw Error(EINVAL, "keystore field \"address\" (" + expected_address->to_string() +
                            ") is not the address of the key it holds");
  return std::move(*key);
}

}  // namespace

PrivateKey decrypt_keystore(std::string_view json_text, std::string_view password) {
  return json_guarded([&] { return decrypt_keystore_json(json_text, password); });
}

std::optional<Address> keystore_address(std::string_view json_text) {
  return json_guarded([&]() -> std::optional<Address> {
    json root = parse_json(json_text);
    detail::require_object(root, what);
    return address_field(root);
  });
}

}  // namespace pfs::crypto
