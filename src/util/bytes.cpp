#include "protectedfs/util/bytes.hpp"

#include <sodium.h>

#include <cstring>

namespace pfs {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw Error(EIO, "libsodium failed to initialise");
    return true;
  }();
  (void)ready;
}

}  // namespace

std::string to_hex(ByteView bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0xf];
  }
  return out;
}

std::string to_hex0x(ByteView bytes) { return "0x" + to_hex(bytes); }

Bytes from_hex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.size() % 2 != 0) throw Error(EINVAL, "hex text has an odd number of digits");
  Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      throw Error(EINVAL, "invalid hex digit at position " + std::to_string(2 * i + (hi < 0 ? 0 : 1)));
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string to_base64(ByteView bytes) {
  ensure_sodium();
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Bytes from_base64(std::string_view text) {
  ensure_sodium();
  Bytes out(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    throw Error(EINVAL, "not valid base64");
  out.resize(length);
  return out;
}

void random_fill(std::span<uint8_t> out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

void wipe(std::span<uint8_t> secret) { sodium_memzero(secret.data(), secret.size()); }

void throw_system_error(const std::string& what) {
  int code = errno;
  throw Error(code, what + ": " + std::strerror(code));
}

}  // namespace pfs
