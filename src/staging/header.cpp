#include "header.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "block_cipher.hpp"
#include "protectedfs/crypto/kdf.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::staging {
namespace {

constexpr char kMagic[8] = {'P', 'F', 'S', 'S', 'T', 'A', 'G', 'E'};
constexpr std::string_view kMacContext = "pfs-staging-header";
constexpr std::string_view kKeyContext = "pfs-staging-file-key";

// The file key and the header MAC: the one keyed derivation (crypto/kdf.hpp) over the header up to the MAC.
void keyed_hash(const MasterKey& master, std::string_view context, const uint8_t* data, std::size_t size,
                uint8_t* out) {
  crypto::DerivedKey digest = crypto::derive_key(master.bytes(), context, ByteView(data, size));
  std::copy(digest.begin(), digest.end(), out);
  wipe(digest);
}

Header derive(const MasterKey& master, const std::array<uint8_t, format::kHeaderSize>& bytes) {
  Header header{static_cast<format::Algorithm>(bytes[9]), {}};
  keyed_hash(master, kKeyContext, bytes.data(), format::kMacOffset, header.file_key.data());
  return header;
}

}  // namespace

Header make_header(const MasterKey& master, uint64_t id, std::array<uint8_t, format::kHeaderSize>& out) {
  out.fill(0);
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  out[8] = format::kVersion;
  out[9] = static_cast<uint8_t>(preferred_algorithm());
  format::put_u64(out.data() + 16, id);
  random_fill(std::span(out).subspan(24, format::kSaltSize));
  keyed_hash(master, kMacContext, out.data(), format::kMacOffset, out.data() + format::kMacOffset);
  return derive(master, out);
}

Header check_header(const MasterKey& master, uint64_t id, const std::array<uint8_t, format::kHeaderSize>& bytes) {
  const std::string name = "staged file " + std::to_string(id);
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) throw Error(EIO, name + " is not a staging file");
  if (bytes[8] != format::kVersion)
    throw Error(EIO, name + " has unsupported format version " + std::to_string(bytes[8]));
  std::array<uint8_t, format::kMacSize> mac;
  keyed_hash(master, kMacContext, bytes.data(), format::kMacOffset, mac.data());
  if (sodium_memcmp(mac.data(), bytes.data() + format::kMacOffset, mac.size()) != 0)
    throw Error(EIO, name + " header failed authentication (wrong staging key, or tampered)");
  if (format::get_u64(bytes.data() + 16) != id)
    throw Error(EIO, name + " header names file " + std::to_string(format::get_u64(bytes.data() + 16)));
  const auto algorithm = static_cast<format::Algorithm>(bytes[9]);
  if (algorithm != format::Algorithm::Aes256Gcm && algorithm != format::Algorithm::XChaCha20Poly1305)
    throw Error(EIO, name + " uses unknown algorithm " + std::to_string(bytes[9]));
  return derive(master, bytes);
}

}  // namespace pfs::staging
