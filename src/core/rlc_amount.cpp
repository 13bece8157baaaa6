#include "protectedfs/core/rlc_amount.hpp"

#include "protectedfs/util/error.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {
namespace {

constexpr uint64_t kNrlcPerRlc = 1'000'000'000;
constexpr std::size_t kDecimals = 9;

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

uint64_t digits_value(std::string_view digits, std::string_view whole, std::string_view what) {
  uint64_t value = 0;
  for (char c : digits) {
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10)
      throw Error(EINVAL,
                  std::string(what) + " " + std::string(whole) + " is over the largest balance (2^64 - 1 nRLC)");
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

uint64_t parse_nrlc(std::string_view text, std::string_view what) {
  const std::string_view whole = text;
  auto invalid = [&] {
    return Error(EINVAL,
                 std::string(what) + " " + quote(whole) + " is neither nRLC (a whole number) nor RLC (like 1.5RLC)");
  };
  if (all_digits(text)) return digits_value(text, whole, what);
  if (!text.ends_with("RLC")) throw invalid();
  text.remove_suffix(3);
  if (text.ends_with(' ')) text.remove_suffix(1);
  const std::size_t dot = text.find('.');
  const std::string_view units = text.substr(0, dot);
  std::string decimals(dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1));
  if (!all_digits(units) || (dot != std::string_view::npos && !all_digits(decimals))) throw invalid();
  if (decimals.size() > kDecimals)
    throw Error(EINVAL, std::string(what) + " " + quote(whole) + " is finer than 1 nRLC (at most 9 decimals)");
  decimals.append(kDecimals - decimals.size(), '0');
  // units * 10^9 + decimals, all checked: the same digits read as one nRLC number.
  std::string nrlc(units);
  nrlc.append(decimals);
  return digits_value(nrlc, whole, what);
}

std::string format_rlc(uint64_t nrlc) {
  std::string out = std::to_string(nrlc / kNrlcPerRlc);
  if (const uint64_t fraction = nrlc % kNrlcPerRlc; fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, kDecimals - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out.append(".").append(digits);
  }
  return out.append(" RLC");
}

}  // namespace pfs::core
