// RLP: the encodings from the Ethereum wiki examples, round trips, and strict refusal of non-canonical input.
#include <catch2/catch.hpp>

#include "protectedfs/crypto/rlp.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;
using rlp::Item;

namespace {
std::string enc(const Item& item) { return to_hex(rlp::encode(item)); }

bool refused(const std::string& hex) {
  try {
    rlp::decode(from_hex(hex));
  } catch (const Error& e) {
    return e.code() == EINVAL;
  }
  return false;
}
}  // namespace

TEST_CASE("RLP encodes the reference examples", "[crypto]") {
  CHECK(enc(Item::string("dog")) == "83646f67");
  CHECK(enc(Item::list({Item::string("cat"), Item::string("dog")})) == "c88363617483646f67");
  CHECK(enc(Item::string("")) == "80");
  CHECK(enc(Item::list({})) == "c0");
  CHECK(enc(Item::uint(0)) == "80");
  CHECK(enc(Item::bytes(Bytes{0})) == "00");
  CHECK(enc(Item::uint(15)) == "0f");
  CHECK(enc(Item::uint(127)) == "7f");
  CHECK(enc(Item::uint(128)) == "8180");
  CHECK(enc(Item::uint(1024)) == "820400");
  // The set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ]
  CHECK(enc(Item::list({Item::list({}), Item::list({Item::list({})}),
                        Item::list({Item::list({}), Item::list({Item::list({})})})})) == "c7c0c1c0c3c0c1c0");
  std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";  // 56 bytes: long form
  CHECK(enc(Item::string(lorem)).substr(0, 4) == "b838");
  CHECK(enc(Item::bytes(Bytes(55, 1))).substr(0, 2) == "b7");
  CHECK(enc(Item::bytes(Bytes(1024, 1))).substr(0, 6) == "b90400");
  CHECK(enc(Item::list({Item::bytes(Bytes(60, 1))})).substr(0, 6) ==
        "f83e"
        "b8");
  CHECK(enc(Item::uint(Uint256::max())) == "a0" + std::string(64, 'f'));
}

TEST_CASE("RLP decodes what it encodes", "[crypto]") {
  Item nested = Item::list({Item::uint(0), Item::uint(1), Item::bytes(test::generated_bytes(300, 1)),
                            Item::list({Item::string("a"), Item::list({})}), Item::bytes(Bytes{0x80})});
  Item back = rlp::decode(rlp::encode(nested));
  CHECK(back == nested);
  CHECK(back.as_list()[1].as_uint().to_uint64() == 1);
  CHECK(back.as_list()[0].as_uint().is_zero());
  CHECK(back.as_list()[2].as_bytes() == test::generated_bytes(300, 1));
  CHECK_THROWS_AS(back.as_bytes(), Error);
  CHECK_THROWS_AS(back.as_list()[0].as_list(), Error);
}

TEST_CASE("RLP decoding refuses non-canonical, truncated and trailing input", "[crypto]") {
  CHECK(refused(""));
  CHECK(refused("8100"));  // single byte < 0x80 wrapped
  CHECK(refused("817f"));
  CHECK_FALSE(refused("8180"));                      // 0x80 needs its header
  CHECK(refused("b800"));                            // long form for a short length
  CHECK(refused("b837" + std::string(110, '1')));    // 55 bytes in long form
  CHECK(refused("b90037" + std::string(110, '1')));  // leading zero in the length
  CHECK(refused("83646f"));                          // truncated payload
  CHECK(refused("b9"));                              // truncated length
  CHECK(refused("bbffffffff"));                      // absurd length
  CHECK(refused("bfffffffffffffffff00"));
  CHECK(refused("83646f6700"));                                // trailing byte
  CHECK(refused("c883636174"));                                // list payload truncated
  CHECK(refused("c283646f67"));                                // child runs past its list
  CHECK(refused("f800"));                                      // long-form list for a short length
  CHECK(refused(std::string(200, 'c').replace(199, 1, "0")));  // "cccc…c0": bad nesting lengths
  // Deep nesting is refused before it can exhaust the stack; moderate nesting is fine.
  Item deep = Item::list({});
  for (int i = 0; i < 63; ++i) deep = Item::list({deep});
  CHECK_NOTHROW(rlp::decode(rlp::encode(deep)));  // 64 nested lists: the limit
  deep = Item::list({deep});
  CHECK_THROWS_AS(rlp::decode(rlp::encode(deep)), Error);
  std::string bad_nesting;
  for (int i = 0; i < 100; ++i) bad_nesting += "c1";  // each list claims 1 byte but holds a 2-byte list
  CHECK(refused(bad_nesting + "c0"));
  // Non-canonical integers.
  CHECK_THROWS_AS(rlp::decode(from_hex("820001")).as_uint(), Error);
  CHECK_THROWS_AS(rlp::decode(from_hex("a1" + std::string(66, '1'))).as_uint(), Error);  // 33 bytes
}
