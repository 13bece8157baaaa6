#include "protectedfs/format/base58.hpp"

#include <algorithm>
#include <array>

#include "protectedfs/util/error.hpp"

namespace pfs::format {
namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

constexpr std::array<int8_t, 256> make_index() {
  std::array<int8_t, 256> index{};
  for (auto& v : index) v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) index[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return index;
}
constexpr std::array<int8_t, 256> kIndex = make_index();

}  // namespace

// Schoolbook base conversion: quadratic, which is fine for the 34-byte multihashes it is used on.
std::string base58_encode(ByteView bytes) {
  std::size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;

  // Digits in base 58, least significant first. log(256)/log(58) < 1.366.
  std::vector<uint8_t> digits;
  digits.reserve((bytes.size() - zeros) * 138 / 100 + 1);
  for (std::size_t i = zeros; i < bytes.size(); ++i) {
    unsigned carry = bytes[i];
    for (auto& d : digits) {
      carry += static_cast<unsigned>(d) << 8;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }

  std::string out(zeros, '1');
  out.reserve(zeros + digits.size());
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

Bytes base58_decode(std::string_view text) {
  std::size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;

  // Bytes in base 256, least significant first.
  Bytes bytes;
  bytes.reserve((text.size() - ones) * 733 / 1000 + 1);
  for (std::size_t i = ones; i < text.size(); ++i) {
    const int value = kIndex[static_cast<uint8_t>(text[i])];
    if (value < 0) throw Error(EINVAL, "invalid base58 character at offset " + std::to_string(i));
    unsigned carry = static_cast<unsigned>(value);
    for (auto& b : bytes) {
      carry += static_cast<unsigned>(b) * 58;
      b = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }

  Bytes out(ones, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

}  // namespace pfs::format
