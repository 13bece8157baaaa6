#include "protectedfs/core/grants.hpp"

#include <algorithm>
#include <charconv>

#include "protectedfs/core/rlc_amount.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {
namespace {

std::string_view trim_value(std::string_view v) {
  while (!v.empty() && (v.back() == '\n' || v.back() == '\0' || v.back() == ' ')) v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return v;
}

uint64_t parse_decimal(std::string_view digits, std::string_view what) {
  uint64_t value = 0;
  if (digits.empty() || digits.front() == '+' || digits.front() == '-')
    throw Error(EINVAL, std::string(what) + " must be a non-negative whole number, not " + quote(digits));
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range)
    throw Error(EINVAL, std::string(what) + " " + quote(digits) + " is too large");
  if (ec != std::errc() || end != digits.data() + digits.size())
    throw Error(EINVAL, std::string(what) + " must be a non-negative whole number, not " + quote(digits));
  return value;
}

}  // namespace

std::string GrantSubject::attribute_name() const {
  return "user.protected.grant." + (user.is_zero() ? std::string("any") : user.to_string()) + "." + app.to_string();
}

GrantSubject parse_grant_subject(std::string_view user_dot_app) {
  const std::size_t dot = user_dot_app.find('.');
  if (dot == std::string_view::npos || user_dot_app.find('.', dot + 1) != std::string_view::npos)
    throw Error(EINVAL, "a grant is named user.protected.grant.USER.APP, not " + quote(user_dot_app));
  const std::string_view user = user_dot_app.substr(0, dot), app = user_dot_app.substr(dot + 1);
  GrantSubject subject;
  if (user != "any") {
    try {
      subject.user = crypto::Address::parse(user);
    } catch (const Error& e) {
      throw Error(EINVAL, "grant user " + quote(user) + ": " + e.what() + " (or 'any')");
    }
    if (subject.user.is_zero()) throw Error(EINVAL, "grant user: write 'any' for anyone, not the zero address");
  }
  if (app == "any") throw Error(EINVAL, "grant app must be an address: 'any' app could read the data");
  try {
    subject.app = crypto::Address::parse(app);
  } catch (const Error& e) {
    throw Error(EINVAL, "grant app " + quote(app) + ": " + e.what());
  }
  if (subject.app.is_zero()) throw Error(EINVAL, "grant app must be an address: the zero address means any app");
  return subject;
}

GrantTerms parse_grant_terms(std::string_view value) {
  value = trim_value(value);
  GrantTerms terms;
  bool seen_price = false, seen_count = false, seen_bulk = false;
  std::size_t at = 0;
  while (at < value.size()) {
    const std::size_t end = std::min(value.find_first_of(" ,", at), value.size());
    const std::string_view word = value.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    if (word == "bulk") {
      if (seen_bulk) throw Error(EINVAL, "bulk is given twice");
      seen_bulk = true;
      continue;
    }
    const std::size_t eq = word.find('=');
    const std::string_view key = word.substr(0, eq);
    if (eq == std::string_view::npos)
      throw Error(EINVAL, "grant terms are 'price=N count=N' or 'bulk', not " + quote(word));
    const std::string_view text = word.substr(eq + 1);
    if (key == "price") {
      if (seen_price) throw Error(EINVAL, "price is given twice");
      terms.price = parse_nrlc(text, "price");
      seen_price = true;
    } else if (key == "count") {
      if (seen_count) throw Error(EINVAL, "count is given twice");
      terms.count = text == "unlimited" ? kUnlimitedVolume : parse_decimal(text, "count");
      if (terms.count == 0) throw Error(EINVAL, "count must be at least 1 (remove the grant to revoke it)");
      if (terms.count > kUnlimitedVolume)
        throw Error(EINVAL, "count must be at most " + std::to_string(kUnlimitedVolume) + " (or 'unlimited')");
      seen_count = true;
    } else {
      throw Error(EINVAL, "unknown grant term " + quote(key) + " (price, count, bulk)");
    }
  }
  if (seen_bulk) {
    // DataProtector's grantAccess({allowBulk: true}): free and unlimited, so one request may use it in any slice.
    if (seen_price || seen_count)
      throw Error(EINVAL, "a bulk grant is free and unlimited: 'bulk' takes no price or count");
    terms = GrantTerms{0, kUnlimitedVolume};
  }
  return terms;
}

bool is_bulk(const GrantTerms& terms) { return terms.price == 0 && terms.count == kUnlimitedVolume; }

std::string format_count(uint64_t count) { return count == kUnlimitedVolume ? "unlimited" : std::to_string(count); }

std::string format_grant_terms(const GrantTerms& terms, uint64_t remaining) {
  return "price=" + std::to_string(terms.price) + " count=" + format_count(terms.count) +
         " remaining=" + format_count(remaining);
}

// Text first: a value that reads as text (printable ASCII once a trailing newline, NUL or space is dropped) is parsed
// as text and only as text, so a truncated address typed by hand ("0x5aAeb6053F3E94C9b9" is 20 bytes) is refused
// instead of being taken for 20 raw bytes of an address nobody holds. Raw bytes are accepted only when the value
// cannot be text (a bare `setfattr -v 0x…` decodes the hex into bytes, which nearly always include unprintable ones).
crypto::Address parse_address_value(std::string_view value) {
  std::string_view text = trim_value(value);
  const bool reads_as_text =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (!reads_as_text) {
    if (value.size() == 20) return crypto::Address::from_bytes(as_bytes(value));
    throw Error(EINVAL, "an address is \"0x\" and 40 hex digits, or its 20 raw bytes; got " +
                            std::to_string(value.size()) + " bytes that are not text");
  }
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  try {
    return crypto::Address::parse(text);
  } catch (const Error& e) {
    throw Error(EINVAL, std::string(e.what()) +
                            (value.size() == 20 ? " (20 bytes of text are read as text, never as raw address bytes)"
                                                : " (an address is \"0x\" and 40 hex digits, or its 20 raw bytes)"));
  }
}

}  // namespace pfs::core
