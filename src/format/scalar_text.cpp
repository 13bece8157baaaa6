// Text forms of the scalar leaves (declared in borsh.hpp): what `user.protected.type` requires a file to hold, and
// what unpack writes back. Locale-independent on purpose (std::from_chars / std::to_chars, no strtod/printf).
#include <charconv>
#include <limits>
#include <system_error>

#include "format/quote.hpp"
#include "protectedfs/format/borsh.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::format {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

[[noreturn]] void expected(const char* what, std::string_view found) {
  throw Error(EINVAL, std::string("expected ") + what + ", found " + detail::quoted(found));
}

constexpr const char* kF64Expected = "a finite decimal number for f64 (like -12.5 or 3e8)";
constexpr const char* kI128Expected = "a decimal integer for i128 (digits with an optional sign)";

// Checks the decimal grammar [+-]? (D+ (. D*)? | . D+) ([eE] [+-]? D+)? that parse_f64 accepts; this is what keeps
// out "nan", "inf", "0x1p3" and "1,5", which std::from_chars would partly read.
bool is_decimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

// For a decimal that std::from_chars reported out of range: true when its magnitude is below 1 (an underflow, which
// rounds to zero) rather than above (an overflow). Uses the decimal exponent of the first significant digit.
bool is_underflow(std::string_view s) {
  std::size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  long long position = 0;  // decimal exponent of the first non-zero digit, before the 'e' part
  bool found = false, in_fraction = false;
  long long int_digits = 0, leading_fraction_zeros = 0;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] == '.') {
      in_fraction = true;
    } else if (!found && s[i] == '0') {
      if (in_fraction) ++leading_fraction_zeros;
    } else if (!found) {
      found = true;
      if (in_fraction) position = -(leading_fraction_zeros + 1);
      else int_digits = 1;
    } else if (!in_fraction) {
      ++int_digits;
    }
  }
  if (found && int_digits > 0) position = int_digits - 1;
  long long exponent = 0;
  if (i < s.size()) {  // 'e' part; saturate, only the sign of the total matters
    ++i;
    const bool negative = s[i] == '-';
    if (s[i] == '+' || s[i] == '-') ++i;
    for (; i < s.size(); ++i) exponent = std::min(exponent * 10 + (s[i] - '0'), 1'000'000'000'000LL);
    if (negative) exponent = -exponent;
  }
  return position + exponent < 0;
}

}  // namespace

bool parse_bool(std::string_view text) {
  const std::string_view t = trim(text);
  if (t == "true" || t == "1") return true;
  if (t == "false" || t == "0") return false;
  expected("true, false, 1 or 0 for bool", text);
}

double parse_f64(std::string_view text) {
  std::string_view t = trim(text);
  if (!is_decimal(t)) expected(kF64Expected, text);
  const bool negative = t[0] == '-';
  if (t[0] == '+') t.remove_prefix(1);  // std::from_chars takes '-' but not '+'
  double value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec == std::errc::result_out_of_range) {
    if (is_underflow(t)) return negative ? -0.0 : 0.0;
    throw Error(EINVAL, "out of f64 range (magnitude above 1.7976931348623157e308): " + detail::quoted(text));
  }
  if (ec != std::errc() || end != t.data() + t.size()) expected(kF64Expected, text);
  return value;
}

i128 parse_i128(std::string_view text) {
  std::string_view t = trim(text);
  bool negative = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  if (t.empty()) expected(kI128Expected, text);
  // Largest magnitude: 2^127 - 1, or 2^127 for a negative value.
  const u128 limit = (static_cast<u128>(1) << 127) - (negative ? 0 : 1);
  u128 magnitude = 0;
  bool overflow = false;
  for (char c : t) {
    if (!is_digit(c)) expected(kI128Expected, text);
    const auto digit = static_cast<unsigned>(c - '0');
    if (magnitude > (limit - digit) / 10) overflow = true;  // keep scanning: a later non-digit is the better error
    else magnitude = magnitude * 10 + digit;
  }
  if (overflow) throw Error(EINVAL, "out of i128 range (-2^127 to 2^127-1): " + detail::quoted(text));
  return negative ? static_cast<i128>(-magnitude) : static_cast<i128>(magnitude);
}

std::string to_text(bool value) { return value ? "true" : "false"; }

std::string to_text(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc()) throw Error(EINVAL, "cannot format f64 value");  // unreachable: 64 bytes always suffice
  return std::string(buffer, end);
}

std::string to_text(i128 value) {
  const bool negative = value < 0;
  // Magnitude in unsigned arithmetic, so that -2^127 has one too.
  u128 magnitude = negative ? static_cast<u128>(0) - static_cast<u128>(value) : static_cast<u128>(value);
  char buffer[41];
  char* p = buffer + sizeof buffer;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) *--p = '-';
  return std::string(p, buffer + sizeof buffer);
}

}  // namespace pfs::format
