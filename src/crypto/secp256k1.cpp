#include "protectedfs/crypto/secp256k1.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <memory>

#include "protectedfs/crypto/keccak.hpp"

namespace pfs::crypto {
namespace {

// One context for the whole process. Since libsecp256k1 0.2 every context can sign and verify; randomizing it once
// blinds the signing computations against side channels. Const use from several threads is allowed by the library.
const secp256k1_context* context() {
  static const std::unique_ptr<secp256k1_context, void (*)(secp256k1_context*)> ctx = [] {
    secp256k1_context* raw = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!raw) throw Error(ENOMEM, "cannot create a secp256k1 context");
    auto seed = random_array<32>();
    int ok = secp256k1_context_randomize(raw, seed.data());
    wipe(seed);
    if (!ok) {
      secp256k1_context_destroy(raw);
      throw Error(EIO, "cannot randomize the secp256k1 context");
    }
    return std::unique_ptr<secp256k1_context, void (*)(secp256k1_context*)>(raw, secp256k1_context_destroy);
  }();
  return ctx.get();
}

std::array<uint8_t, 64> serialize_xy(const secp256k1_pubkey& key) {
  std::array<uint8_t, 65> full;
  std::size_t length = full.size();
  secp256k1_ec_pubkey_serialize(secp256k1_context_static, full.data(), &length, &key, SECP256K1_EC_UNCOMPRESSED);
  std::array<uint8_t, 64> xy;
  std::copy(full.begin() + 1, full.end(), xy.begin());
  return xy;
}

secp256k1_pubkey parse_pubkey(ByteView sec1) {
  secp256k1_pubkey key;
  if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &key, sec1.data(), sec1.size()))
    throw Error(EINVAL, "public key is not a valid secp256k1 point");
  return key;
}

}  // namespace

// ---- PublicKey ----

PublicKey PublicKey::parse(ByteView bytes) {
  std::array<uint8_t, 65> full;
  ByteView sec1 = bytes;
  if (bytes.size() == 64) {  // X || Y without the SEC1 tag, as Ethereum often writes it
    full[0] = 0x04;
    std::copy(bytes.begin(), bytes.end(), full.begin() + 1);
    sec1 = full;
  } else if (bytes.size() != 33 && bytes.size() != 65) {
    throw Error(EINVAL, "public key must be 33, 64 or 65 bytes, got " + std::to_string(bytes.size()));
  }
  PublicKey out;
  out.xy_ = serialize_xy(parse_pubkey(sec1));
  return out;
}

std::array<uint8_t, 65> PublicKey::uncompressed() const noexcept {
  std::array<uint8_t, 65> out;
  out[0] = 0x04;
  std::copy(xy_.begin(), xy_.end(), out.begin() + 1);
  return out;
}

std::array<uint8_t, 33> PublicKey::compressed() const {
  secp256k1_pubkey key = parse_pubkey(uncompressed());
  std::array<uint8_t, 33> out;
  std::size_t length = out.size();
  secp256k1_ec_pubkey_serialize(secp256k1_context_static, out.data(), &length, &key, SECP256K1_EC_COMPRESSED);
  return out;
}

// ---- PrivateKey ----

PrivateKey PrivateKey::from_bytes(ByteView bytes) {
  if (bytes.size() != 32) throw Error(EINVAL, "private key must be 32 bytes, got " + std::to_string(bytes.size()));
  // Rejects 0 and values >= the curve order n: such a "key" has no public key.
  if (!secp256k1_ec_seckey_verify(secp256k1_context_static, bytes.data()))
    throw Error(EINVAL, "private key is out of range (zero or not below the secp256k1 curve order)");
  PrivateKey key;
  std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
  return key;
}

PrivateKey PrivateKey::from_hex(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits.remove_prefix(2);
  // Checked here so that the generic hex messages (which may quote positions) are never about a secret's length.
  if (digits.size() != 64)
    throw Error(EINVAL, "private key must be 64 hex digits, got " + std::to_string(digits.size()) + " characters");
  Bytes raw;
  try {
    raw = pfs::from_hex(digits);
  } catch (const Error&) {
    throw Error(EINVAL, "private key is not valid hex");
  }
  struct Wiper {
    Bytes& b;
    ~Wiper() { wipe(b); }
  } wiper{raw};
  return from_bytes(raw);
}

PrivateKey PrivateKey::generate() {
  PrivateKey key;
  do random_fill(key.bytes_);
  while (!secp256k1_ec_seckey_verify(secp256k1_context_static, key.bytes_.data()));
  return key;
}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept : bytes_(other.bytes_) { wipe(other.bytes_); }

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    wipe(other.bytes_);
  }
  return *this;
}

PrivateKey::~PrivateKey() { wipe(bytes_); }

PublicKey PrivateKey::public_key() const {
  secp256k1_pubkey key;
  if (!secp256k1_ec_pubkey_create(context(), &key, bytes_.data()))
    throw Error(EINVAL, "private key is not usable (moved-from or out of range)");
  PublicKey out;
  out.xy_ = serialize_xy(key);
  return out;
}

Address PrivateKey::address() const { return Address::from_public_key(public_key()); }

// ---- Signatures ----

std::array<uint8_t, 65> Signature::to_rsv() const noexcept {
  std::array<uint8_t, 65> out;
  std::copy(r.begin(), r.end(), out.begin());
  std::copy(s.begin(), s.end(), out.begin() + 32);
  out[64] = static_cast<uint8_t>(27 + recid);
  return out;
}

Signature Signature::from_rsv(ByteView bytes) {
  if (bytes.size() != 65)
    throw Error(EINVAL, "signature must be 65 bytes (r || s || v), got " + std::to_string(bytes.size()));
  uint8_t v = bytes[64];
  // 27/28 is Ethereum's convention; some signers (hardware wallets, eth_sign variants) give the bare 0/1.
  if (v != 0 && v != 1 && v != 27 && v != 28)
    throw Error(EINVAL, "signature v must be 27 or 28 (or 0 or 1), got " + std::to_string(v));
  Signature sig;
  std::copy(bytes.begin(), bytes.begin() + 32, sig.r.begin());
  std::copy(bytes.begin() + 32, bytes.begin() + 64, sig.s.begin());
  sig.recid = v >= 27 ? v - 27 : v;
  return sig;
}

Signature sign_recoverable(const PrivateKey& key, const Hash32& digest) {
  secp256k1_ecdsa_recoverable_signature raw;
  // Null nonce function = secp256k1_nonce_function_rfc6979: same key and digest, same signature as ethers.
  if (!secp256k1_ecdsa_sign_recoverable(context(), &raw, digest.data(), key.secret_bytes().data(), nullptr, nullptr))
    throw Error(EINVAL, "signing failed: the private key is not usable");
  std::array<uint8_t, 64> compact;
  Signature sig;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(secp256k1_context_static, compact.data(), &sig.recid, &raw);
  std::copy(compact.begin(), compact.begin() + 32, sig.r.begin());
  std::copy(compact.begin() + 32, compact.end(), sig.s.begin());
  return sig;
}

PublicKey recover_public_key(const Hash32& digest, ByteView signature) {
  Signature sig = Signature::from_rsv(signature);
  auto is_zero = [](const Hash32& h) { return std::all_of(h.begin(), h.end(), [](uint8_t b) { return b == 0; }); };
  std::array<uint8_t, 64> compact;
  std::copy(sig.r.begin(), sig.r.end(), compact.begin());
  std::copy(sig.s.begin(), sig.s.end(), compact.begin() + 32);
  secp256k1_ecdsa_recoverable_signature raw;
  if (is_zero(sig.r) || is_zero(sig.s) ||
      !secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &raw, compact.data(), sig.recid))
    throw Error(EINVAL, "signature r or s is zero or not below the secp256k1 curve order");
  secp256k1_pubkey key;
  if (!secp256k1_ecdsa_recover(context(), &key, &raw, digest.data()))
    throw Error(EINVAL, "no public key recovers from this signature and digest");
  PublicKey out;
  out.xy_ = serialize_xy(key);
  return out;
}

Address recover_address(const Hash32& digest, ByteView signature) {
  return Address::from_public_key(recover_public_key(digest, signature));
}

}  // namespace pfs::crypto
