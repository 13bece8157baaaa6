#include "protectedfs/crypto/rlp.hpp"

namespace pfs::crypto::rlp {
namespace {

constexpr int max_depth = 64;

// Header for a payload of `length` bytes: short form up to 55 bytes, else the big-endian length's own length.
void append_header(Bytes& out, uint8_t short_base, uint8_t long_base, std::size_t length) {
  if (length <= 55) {
    out.push_back(static_cast<uint8_t>(short_base + length));
    return;
  }
  Bytes be = Uint256(static_cast<uint64_t>(length)).to_minimal_bytes();
  out.push_back(static_cast<uint8_t>(long_base + be.size()));
  out.insert(out.end(), be.begin(), be.end());
}

void encode_into(const Item& item, Bytes& out) {
  if (item.is_list()) {
    Bytes payload;
    for (const Item& child : item.as_list()) encode_into(child, payload);
    append_header(out, 0xc0, 0xf7, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
    return;
  }
  const Bytes& value = item.as_bytes();
  if (value.size() != 1 || value[0] >= 0x80) append_header(out, 0x80, 0xb7, value.size());
  out.insert(out.end(), value.begin(), value.end());
}

struct Parser {
  ByteView data;
  std::size_t pos = 0;

  [[noreturn]] void fail(const std::string& why) const {
    throw Error(EINVAL, "invalid RLP at byte " + std::to_string(pos) + ": " + why);
  }

  // The payload length of a header at `pos` (consumed); `long_base` + n means an n-byte big-endian length follows.
  std::size_t payload_length(uint8_t prefix, uint8_t short_base, uint8_t long_base) {
    ++pos;
    std::size_t length = 0;
    if (prefix <= long_base) {
      length = prefix - short_base;
    } else {
      std::size_t length_size = prefix - long_base;
      if (data.size() - pos < length_size) fail("truncated length");
      if (data[pos] == 0) fail("length has a leading zero byte");
      for (std::size_t i = 0; i < length_size; ++i) {
        if (length > (data.size() >> 8)) fail("length exceeds the input");  // also keeps the shift from overflowing
        length = length << 8 | data[pos + i];
      }
      pos += length_size;
      if (length <= 55) fail("long form used for a length of " + std::to_string(length));
    }
    if (data.size() - pos < length)
      fail("payload of " + std::to_string(length) + " bytes but only " + std::to_string(data.size() - pos) + " left");
    return length;
  }

  Item item(int depth) {
    if (pos >= data.size()) fail("unexpected end of input");
    uint8_t prefix = data[pos];
    if (prefix < 0x80) {
      ++pos;
      return Item::bytes(data.subspan(pos - 1, 1));
    }
    if (prefix < 0xc0) {
      std::size_t length = payload_length(prefix, 0x80, 0xb7);
      if (length == 1 && data[pos] < 0x80) fail("single byte below 0x80 must not have a header");
      Item out = Item::bytes(data.subspan(pos, length));
      pos += length;
      return out;
    }
    if (depth >= max_depth) fail("lists nested deeper than " + std::to_string(max_depth));
    std::size_t length = payload_length(prefix, 0xc0, 0xf7);
    std::size_t end = pos + length;
    std::vector<Item> items;
    while (pos < end) {
      Parser inner{data.first(end), pos};  // children may not run past the list's own payload
      items.push_back(inner.item(depth + 1));
      pos = inner.pos;
    }
    return Item::list(std::move(items));
  }
};

}  // namespace

Item Item::bytes(ByteView value) {
  Item out;
  out.bytes_.assign(value.begin(), value.end());
  return out;
}

Item Item::list(std::vector<Item> items) {
  Item out;
  out.is_list_ = true;
  out.items_ = std::move(items);
  return out;
}

const Bytes& Item::as_bytes() const {
  if (is_list_) throw Error(EINVAL, "RLP item is a list where a byte string was expected");
  return bytes_;
}

const std::vector<Item>& Item::as_list() const {
  if (!is_list_) throw Error(EINVAL, "RLP item is a byte string where a list was expected");
  return items_;
}

Uint256 Item::as_uint() const {
  const Bytes& raw = as_bytes();
  if (raw.size() > 32) throw Error(EINVAL, "RLP integer has " + std::to_string(raw.size()) + " bytes (max 32)");
  if (!raw.empty() && raw[0] == 0) throw Error(EINVAL, "RLP integer has a leading zero byte");
  return Uint256::from_be_bytes(raw);
}

Bytes encode(const Item& item) {
  Bytes out;
  encode_into(item, out);
  return out;
}

Item decode(ByteView data) {
  Parser parser{data, 0};
  Item out = parser.item(0);
  if (parser.pos != data.size())
    throw Error(EINVAL, "invalid RLP: " + std::to_string(data.size() - parser.pos) + " trailing bytes after the item");
  return out;
}

}  // namespace pfs::crypto::rlp
