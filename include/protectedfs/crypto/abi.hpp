// Solidity ABI: encoding contract calls (selector + head/tail encoding of the arguments) and decoding what comes back
// from the node (return data, event data and topics). Decoding is strict and bounds-checked because that data
// comes from the network: a truncation, an out-of-range offset or length, or an address/bool word with bits set
// outside its type is EINVAL, never a crash or an out-of-bounds read.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto::abi {

using Selector = std::array<uint8_t, 4>;

// First 4 bytes of keccak256 of the canonical signature text, e.g. "owner()" → 0x8da5cb5b.
Selector selector(std::string_view signature);
// keccak256 of the canonical event signature, e.g. "ClosedDatasetOrder(bytes32)": the event's topic0.
Hash32 event_topic(std::string_view signature);

// One argument value together with its canonical ABI type (which encode_call checks against the signature).
class Value {
 public:
  static Value address(const Address& value);
  static Value uint256(const Uint256& value);
  // uintN for N in 8..256 step 8; EINVAL if bits is not such a size or value does not fit in it.
  static Value uint(unsigned bits, const Uint256& value);
  static Value uint8(uint8_t value) { return uint(8, value); }
  static Value bytes32(const Hash32& value);
  static Value boolean(bool value);
  static Value string(std::string_view value);
  static Value bytes(ByteView value);
  static Value tuple(std::vector<Value> members);

  const std::string& type() const noexcept { return type_; }  // e.g. "uint8", "(address,bytes)"
  bool is_dynamic() const noexcept;

  // The building blocks of encode(): bytes this value takes in its parent's head (32 for a dynamic value, which
  // stands there as an offset), and its own full encoding appended to out.
  std::size_t head_size() const noexcept;
  void append_encoding(Bytes& out) const;

 private:
  enum class Kind { word, dynamic, tuple };
  Value(Kind kind, std::string type) : kind_(kind), type_(std::move(type)) {}
  Value retyped(std::string type) &&;
  Kind kind_;
  std::string type_;
  Bytes data_;                  // word: the 32-byte word; dynamic: the raw content
  std::vector<Value> members_;  // tuple members
};

// abi.encode(values...): the values as the members of one tuple.
Bytes encode(const std::vector<Value>& values);
// selector(signature) || encode(args). The signature must be canonical ("f(address,uint256)", no spaces or names)
// and its parameter list must equal the args' types, else EINVAL: a mismatch would call the wrong function or send
// garbage arguments.
Bytes encode_call(std::string_view signature, const std::vector<Value>& args);

// Reads the encoding of a tuple (return data or event data) slot by slot; slot i is the i-th head word.
class Decoder {
 public:
  explicit Decoder(ByteView data) : data_(data) {}

  Hash32 word(std::size_t slot) const;
  Uint256 uint256(std::size_t slot) const { return Uint256::from_be_bytes(word(slot)); }
  Address address(std::size_t slot) const;  // EINVAL unless the upper 12 bytes are zero
  Hash32 bytes32(std::size_t slot) const { return word(slot); }
  bool boolean(std::size_t slot) const;        // EINVAL unless the word is 0 or 1
  Bytes bytes(std::size_t slot) const;         // dynamic: the slot holds the offset of length || content
  std::string string(std::size_t slot) const;  // the raw bytes: Solidity does not guarantee UTF-8

 private:
  ByteView data_;
};

// An address from a 32-byte word such as an indexed event topic; EINVAL unless the upper 12 bytes are zero.
Address address_from_word(const Hash32& word);

// The common one-value returns.
inline std::string decode_string(ByteView data) { return Decoder(data).string(0); }
inline Bytes decode_bytes(ByteView data) { return Decoder(data).bytes(0); }
inline Uint256 decode_uint256(ByteView data) { return Decoder(data).uint256(0); }
inline Address decode_address(ByteView data) { return Decoder(data).address(0); }
inline Hash32 decode_bytes32(ByteView data) { return Decoder(data).bytes32(0); }

}  // namespace pfs::crypto::abi
