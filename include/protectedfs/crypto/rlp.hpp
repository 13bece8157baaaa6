// RLP (Recursive Length Prefix), Ethereum's serialization of transactions: an item is a byte string or a list of
// items; integers are byte strings in minimal big-endian form (zero = empty string).
// Decoding is strict: only the one canonical encoding of a value is accepted (no long form where the short form
// fits, no leading zeros in lengths or integers, no single byte < 0x80 wrapped in a header), and truncated or
// trailing data is EINVAL: a decoded transaction must hash to what its sender signed.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto::rlp {

class Item {
 public:
  Item() = default;  // the empty byte string
  static Item bytes(ByteView value);
  static Item string(std::string_view value) { return bytes(pfs::as_bytes(value)); }
  static Item uint(const Uint256& value) { return bytes(value.to_minimal_bytes()); }
  static Item address(const Address& value) { return bytes(value.bytes()); }
  static Item list(std::vector<Item> items);

  bool is_list() const noexcept { return is_list_; }
  // Accessors for decoded items; EINVAL when the item is of the other kind or not a canonical integer.
  const Bytes& as_bytes() const;
  const std::vector<Item>& as_list() const;
  Uint256 as_uint() const;  // at most 32 bytes, no leading zero byte
  friend bool operator==(const Item&, const Item&) = default;

 private:
  bool is_list_ = false;
  Bytes bytes_;
  std::vector<Item> items_;
};

Bytes encode(const Item& item);
// Exactly one item filling the whole input; nesting deeper than 64 lists is refused (stack safety).
Item decode(ByteView data);

}  // namespace pfs::crypto::rlp
