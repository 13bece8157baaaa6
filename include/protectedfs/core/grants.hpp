// Grants as the tree keeps them (SPEC.md §3): what the owner asked for with setfattr, and the orders that carry it
// on the network (one signed DatasetOrder per version and per change of terms, PROTOCOL.md §4). The xattr grammar
// is parsed here, strictly: anything malformed is EINVAL with a message that names the problem, and nothing changes.
//
//   user.protected.grant.USER.APP = "price=N count=N"     USER: an address or "any"; APP: an address
//   price=N (nRLC) | price=X.YRLC ; count=N | count=unlimited ; separated by spaces or commas; defaults 0 and 1
//   bulk                    alone: DataProtector's allowBulk, price 0 and count unlimited (the SDK's bulk volume)
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protectedfs/crypto/address.hpp"

namespace pfs::core {

inline constexpr uint64_t kUnlimitedVolume = (uint64_t{1} << 53) - 1;  // the SDK's "unlimited" (bulk) volume
inline constexpr std::size_t kMaxOpenGrants = 50;                      // iExec's market: open orders per wallet

struct GrantTerms {
  uint64_t price = 0;  // nRLC per access
  uint64_t count = 1;  // accesses (the order's volume)
  bool operator==(const GrantTerms&) const = default;
};

// Who may use the data with which app.
struct GrantSubject {
  crypto::Address user;  // zero = anyone
  crypto::Address app;
  bool operator==(const GrantSubject&) const = default;
  std::string attribute_name() const;  // "user.protected.grant.any.0xApp…"
};

// One order issued for a grant, kept for revocation and for usage across versions.
struct IssuedOrder {
  enum class State { Issuing, Open, Closed, Void };  // Void: the dataset was given away, the order can't match
  std::string hash;                                  // "0x…" order hash
  std::string dataset;                               // the version it is for
  GrantSubject subject;
  GrantTerms terms;
  std::string signed_order;  // the market JSON of the order with its "sign"
  State state = State::Issuing;
  uint64_t uses = 0;       // accesses runs consumed (cached from the grant book)
  uint64_t remaining = 0;  // cached from the grant book
  bool operator==(const IssuedOrder&) const = default;
};

struct Grant {
  GrantSubject subject;
  GrantTerms terms;
  std::string order;  // hash of the order that carries it for the newest version; "" until issued
  bool operator==(const Grant&) const = default;
};

// "USER.APP" after the "user.protected.grant." prefix. EINVAL for anything but "any" or an address as USER and an
// address as APP ("any" app is refused, as the SDK refuses it: any app could read the data).
GrantSubject parse_grant_subject(std::string_view user_dot_app);
GrantTerms parse_grant_terms(std::string_view value);
std::string format_grant_terms(const GrantTerms& terms, uint64_t remaining);  // "price=N count=N remaining=N"
// A grant bulk processing can use (iExec's prepareDatasetBulk takes free orders of DATASET_INFINITE_VOLUME): what
// `bulk` sets, and also what "price=0 count=unlimited" sets, since the network cannot tell them apart.
bool is_bulk(const GrantTerms& terms);
std::string format_count(uint64_t count);  // "unlimited" for kUnlimitedVolume
// An address as setfattr gives it: text (optionally in double quotes, a trailing newline or NUL tolerated), or the
// 20 raw bytes a bare `setfattr -v 0x…` produces. A value that reads as text is parsed as text only (so 20
// characters of a truncated address are EINVAL, never raw bytes); mixed case must carry its EIP-55 checksum.
// EINVAL otherwise: a transfer needs an unambiguous address.
crypto::Address parse_address_value(std::string_view value);

}  // namespace pfs::core
