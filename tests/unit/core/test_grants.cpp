#include <catch2/catch.hpp>

#include <sys/xattr.h>

#include <nlohmann/json.hpp>

#include "protectedfs/core/grants.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::core;

namespace {
const std::string kApp = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";  // EIP-55 reference address
const std::string kUser = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
}  // namespace

TEST_CASE("grant names: USER is an address or 'any', APP an address", "[core][grants]") {
  const GrantSubject any = parse_grant_subject("any." + kApp);
  CHECK(any.user.is_zero());
  CHECK(any.app.to_string() == kApp);
  CHECK(any.attribute_name() == "user.protected.grant.any." + kApp);
  CHECK(parse_grant_subject(kUser + "." + kApp).user.to_string() == kUser);
  // Lowercase and uppercase hex carry no checksum and are accepted; a mixed case must be the EIP-55 one.
  std::string lower = kApp;
  std::transform(lower.begin() + 2, lower.end(), lower.begin() + 2, ::tolower);
  CHECK(parse_grant_subject("any." + lower).app.to_string() == kApp);
  std::string bad_case = kApp;
  bad_case[2] = '5';
  bad_case[3] = 'A';  // 'a' → 'A' breaks the checksum
  for (const std::string& bad :
       std::vector<std::string>{"any.any", "any." + bad_case, "any.0x1234", "any." + kApp + ".x", kApp,
                                "0x0000000000000000000000000000000000000000." + kApp, "someone." + kApp,
                                "any.0x0000000000000000000000000000000000000000", "any.zz" + kApp.substr(2)})
    CHECK(test::errno_of([&] { parse_grant_subject(bad); }) == EINVAL);
}

TEST_CASE("grant terms: price in nRLC or RLC, count or unlimited, strict", "[core][grants]") {
  CHECK(parse_grant_terms("") == GrantTerms{0, 1});
  CHECK(parse_grant_terms("price=5 count=2") == GrantTerms{5, 2});
  CHECK(parse_grant_terms("count=3,price=7\n") == GrantTerms{7, 3});
  CHECK(parse_grant_terms("price=1.5RLC") == GrantTerms{1500000000, 1});
  CHECK(parse_grant_terms("price=2RLC count=unlimited") == GrantTerms{2000000000, kUnlimitedVolume});
  CHECK(parse_grant_terms("price=0.000000001RLC") == GrantTerms{1, 1});
  for (const char* bad : {"price=-1", "price=abc", "price=1.0000000001RLC", "price=1.RLC", "count=0", "count=-2",
                          "count=two", "price=1 price=2", "colour=blue", "price", "count=9007199254740992",
                          "price=99999999999999999999", "price=+3", "count=1.5"})
    CHECK(test::errno_of([&] { parse_grant_terms(bad); }) == EINVAL);
  CHECK(format_grant_terms({5, 2}, 1) == "price=5 count=2 remaining=1");
  CHECK(format_grant_terms({0, kUnlimitedVolume}, kUnlimitedVolume) == "price=0 count=unlimited remaining=unlimited");
}

TEST_CASE("bulk grants: free and unlimited, alone", "[core][grants]") {
  CHECK(parse_grant_terms("bulk") == GrantTerms{0, kUnlimitedVolume});
  CHECK(parse_grant_terms(" bulk\n") == GrantTerms{0, kUnlimitedVolume});
  CHECK(is_bulk(parse_grant_terms("bulk")));
  CHECK(is_bulk(parse_grant_terms("price=0 count=unlimited")));  // the same order on the network
  CHECK_FALSE(is_bulk(parse_grant_terms("count=unlimited price=1")));
  CHECK_FALSE(is_bulk(parse_grant_terms("count=5")));
  for (const char* bad : {"bulk price=0", "bulk count=1", "price=1 bulk", "count=unlimited,bulk", "bulk bulk", "bulk=1",
                          "bulk=true", "BULK"})
    CHECK(test::errno_of([&] { parse_grant_terms(bad); }) == EINVAL);
}

TEST_CASE("addresses as setfattr gives them: text, quoted text or 20 raw bytes", "[core][grants]") {
  CHECK(parse_address_value(kUser).to_string() == kUser);
  CHECK(parse_address_value("\"" + kUser + "\"\n").to_string() == kUser);
  const Bytes raw = from_hex(kUser.substr(2));
  CHECK(parse_address_value(std::string(as_chars(raw))).to_string() == kUser);
  for (const std::string& bad :
       std::vector<std::string>{std::string("0x12"), std::string("hello"), std::string(19, 'x'), kUser + "00"})
    CHECK(test::errno_of([&] { parse_address_value(bad); }) == EINVAL);
}

TEST_CASE("an address value is read as text first: 20 characters of text are never taken for raw bytes",
          "[core][grants]") {
  // A truncated address typed by hand is 20 bytes long: it used to become the raw address 0x3078…, held by nobody.
  for (const std::string& truncated : {std::string("0x5aAeb6053F3E94C9b9"), std::string("0x5aaeb6053f3e94c9b9"),
                                       std::string("0x5aAeb6053F3E94C9b\n"), std::string("\"0x5aAeb6053F3E94C9\"")})
    CHECK(test::errno_of([&] { parse_address_value(truncated); }) == EINVAL);
  // Twenty printable bytes are text, whatever else they could be.
  CHECK(test::errno_of([&] { parse_address_value(std::string(20, 'a')); }) == EINVAL);
  // The EIP-55 checksum of a mixed-case text address is checked.
  std::string mistyped = kUser;
  for (std::size_t i = 2; i < mistyped.size(); ++i)
    if (std::isalpha(static_cast<unsigned char>(mistyped[i]))) {
      mistyped[i] =
          static_cast<char>(std::isupper(static_cast<unsigned char>(mistyped[i])) ? std::tolower(mistyped[i])
                                                                                  : std::toupper(mistyped[i]));
      break;
    }
  CHECK(test::errno_of([&] { parse_address_value(mistyped); }) == EINVAL);
  // Raw bytes that cannot be text are still the address (what a bare `setfattr -v 0x…` sends), even with a byte
  // that would be trimmed from text at the end.
  Bytes raw = from_hex(kUser.substr(2));
  raw.back() = 0;
  CHECK(parse_address_value(std::string(as_chars(raw))) == crypto::Address::from_bytes(raw));
  raw.back() = '\n';
  CHECK(parse_address_value(std::string(as_chars(raw))) == crypto::Address::from_bytes(raw));
  // Neither text nor 20 bytes.
  CHECK(test::errno_of([&] { parse_address_value(std::string(21, '\x01')); }) == EINVAL);
}
