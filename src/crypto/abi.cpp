#include "protectedfs/crypto/abi.hpp"

#include <algorithm>
#include <cctype>

#include "crypto/detail.hpp"
#include "protectedfs/crypto/keccak.hpp"

namespace pfs::crypto::abi {
namespace {

constexpr std::size_t word_size = 32;

std::size_t padded(std::size_t length) { return (length + word_size - 1) / word_size * word_size; }

void append_word(Bytes& out, ByteView word) { out.insert(out.end(), word.begin(), word.end()); }

void append_length(Bytes& out, std::size_t value) { append_word(out, Uint256(static_cast<uint64_t>(value)).bytes()); }

}  // namespace

Selector selector(std::string_view signature) {
  Hash32 hash = keccak256(as_bytes(signature));
  Selector out;
  std::copy(hash.begin(), hash.begin() + 4, out.begin());
  return out;
}

Hash32 event_topic(std::string_view signature) { return keccak256(as_bytes(signature)); }

// ---- Value ----

Value Value::address(const Address& value) {
  Value out(Kind::word, "address");
  append_word(out.data_, value.to_word());
  return out;
}

Value Value::uint256(const Uint256& value) { return uint(256, value); }

Value Value::uint(unsigned bits, const Uint256& value) {
  if (bits == 0 || bits > 256 || bits % 8 != 0)
    throw Error(EINVAL, "uint" + std::to_string(bits) + " is not an ABI type");
  const auto& be = value.bytes();
  if (std::any_of(be.begin(), be.end() - bits / 8, [](uint8_t b) { return b != 0; }))
    throw Error(EINVAL, "value " + value.to_decimal() + " does not fit in uint" + std::to_string(bits));
  Value out(Kind::word, "uint" + std::to_string(bits));
  append_word(out.data_, be);
  return out;
}

Value Value::bytes32(const Hash32& value) {
  Value out(Kind::word, "bytes32");
  append_word(out.data_, value);
  return out;
}

Value Value::boolean(bool value) { return Value::uint(8, value ? 1 : 0).retyped("bool"); }

Value Value::string(std::string_view value) {
  Value out(Kind::dynamic, "string");
  out.data_.assign(value.begin(), value.end());
  return out;
}

Value Value::bytes(ByteView value) {
  Value out(Kind::dynamic, "bytes");
  out.data_.assign(value.begin(), value.end());
  return out;
}

Value Value::tuple(std::vector<Value> members) {
  std::string type = "(";
  for (std::size_t i = 0; i < members.size(); ++i) type += (i ? "," : "") + members[i].type_;
  Value out(Kind::tuple, type + ")");
  out.members_ = std::move(members);
  return out;
}

Value Value::retyped(std::string type) && {
  type_ = std::move(type);
  return std::move(*this);
}

bool Value::is_dynamic() const noexcept {
  if (kind_ == Kind::dynamic) return true;
  if (kind_ == Kind::word) return false;
  return std::any_of(members_.begin(), members_.end(), [](const Value& m) { return m.is_dynamic(); });
}

std::size_t Value::head_size() const noexcept {
  if (is_dynamic() || kind_ == Kind::word) return word_size;
  std::size_t size = 0;  // a static tuple is laid out inline in its parent's head
  for (const Value& m : members_) size += m.head_size();
  return size;
}

void Value::append_encoding(Bytes& out) const {
  switch (kind_) {
    case Kind::word:
      append_word(out, data_);
      return;
    case Kind::dynamic:
      append_length(out, data_.size());
      append_word(out, data_);
      out.resize(out.size() + padded(data_.size()) - data_.size(), 0);
      return;
    case Kind::tuple: {
      // Head: static members inline, dynamic ones as the offset (from the tuple's start) of their tail encoding.
      std::size_t head = 0;
      for (const Value& m : members_) head += m.head_size();
      Bytes tail;
      for (const Value& m : members_) {
        if (m.is_dynamic()) {
          append_length(out, head + tail.size());
          m.append_encoding(tail);
        } else {
          m.append_encoding(out);
        }
      }
      append_word(out, tail);
      return;
    }
  }
}

// ---- encoding ----

Bytes encode(const std::vector<Value>& values) {
  Bytes out;
  Value::tuple(values).append_encoding(out);
  return out;
}

Bytes encode_call(std::string_view signature, const std::vector<Value>& args) {
  std::size_t open = signature.find('(');
  if (open == 0 || open == std::string_view::npos ||
      !std::all_of(signature.begin(), signature.begin() + static_cast<std::ptrdiff_t>(open),
                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }))
    throw Error(EINVAL, "not a canonical function signature: " + detail::quoted(signature));
  Value params = Value::tuple(args);
  if (signature.substr(open) != params.type())
    throw Error(EINVAL,
                "arguments " + params.type() + " do not match the function signature " + detail::quoted(signature));
  Selector sel = selector(signature);
  Bytes out(sel.begin(), sel.end());
  params.append_encoding(out);
  return out;
}

// ---- decoding ----

Hash32 Decoder::word(std::size_t slot) const {
  if (slot >= data_.size() / word_size)
    throw Error(EINVAL, "ABI data too short: word " + std::to_string(slot) + " needed but only " +
                            std::to_string(data_.size()) + " bytes");
  Hash32 out;
  std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(slot * word_size), word_size, out.begin());
  return out;
}

Address Decoder::address(std::size_t slot) const { return address_from_word(word(slot)); }

bool Decoder::boolean(std::size_t slot) const {
  Uint256 value = uint256(slot);
  if (value > Uint256(1)) throw Error(EINVAL, "ABI bool word is neither 0 nor 1");
  return value == Uint256(1);
}

Bytes Decoder::bytes(std::size_t slot) const {
  // Every bound is checked against the data's size before anything is read, in an order that cannot overflow.
  Uint256 offset_value = uint256(slot);
  if (!offset_value.fits_uint64() || offset_value.to_uint64() > data_.size() ||
      data_.size() - offset_value.to_uint64() < word_size)
    throw Error(EINVAL, "ABI offset " + offset_value.to_decimal() + " of word " + std::to_string(slot) +
                            " points outside the " + std::to_string(data_.size()) + " bytes of data");
  auto offset = static_cast<std::size_t>(offset_value.to_uint64());
  std::size_t available = data_.size() - offset - word_size;
  Uint256 length_value = Decoder(data_.subspan(offset)).uint256(0);
  if (!length_value.fits_uint64() || length_value.to_uint64() > available ||
      padded(static_cast<std::size_t>(length_value.to_uint64())) > available)
    throw Error(EINVAL, "ABI length " + length_value.to_decimal() + " at offset " + std::to_string(offset) +
                            " runs past the end of the data (" + std::to_string(available) + " bytes left)");
  auto content = data_.subspan(offset + word_size, static_cast<std::size_t>(length_value.to_uint64()));
  return Bytes(content.begin(), content.end());
}

std::string Decoder::string(std::size_t slot) const {
  Bytes raw = bytes(slot);
  return std::string(raw.begin(), raw.end());
}

Address address_from_word(const Hash32& word) {
  if (std::any_of(word.begin(), word.begin() + 12, [](uint8_t b) { return b != 0; }))
    throw Error(EINVAL, "ABI address word has nonzero upper bytes: " + to_hex0x(word));
  std::array<uint8_t, 20> raw;
  std::copy(word.begin() + 12, word.end(), raw.begin());
  return Address(raw);
}

}  // namespace pfs::crypto::abi
