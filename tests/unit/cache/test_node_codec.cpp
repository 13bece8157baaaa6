#include <catch2/catch.hpp>

#include <limits>

#include "cache/node_codec.hpp"
#include "cache/sealed.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::cache;

namespace {

bool same(const core::NodeRecord& a, const core::NodeRecord& b) {
  return a.ino == b.ino && a.parent == b.parent && a.name == b.name && a.kind == b.kind && a.mode == b.mode &&
         a.size == b.size && a.atime_ns == b.atime_ns && a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns &&
         a.uid == b.uid && a.gid == b.gid && a.type == b.type && a.xattrs == b.xattrs && a.data_info == b.data_info &&
         a.origin == b.origin && a.target == b.target && a.rdev == b.rdev && a.links == b.links;
}

}  // namespace

TEST_CASE("node records round-trip exactly, arbitrary bytes and extreme values included", "[cache]") {
  core::NodeRecord node;
  node.ino = std::numeric_limits<uint64_t>::max();
  node.parent = 1;
  node.name = std::string("caf\xc3\xa9 \xff\xfe bad utf-8\x01", 19);
  node.kind = -3;
  node.mode = 0100644;
  node.size = std::numeric_limits<uint64_t>::max() - 1;
  node.atime_ns = -1;
  node.mtime_ns = std::numeric_limits<int64_t>::min();
  node.ctime_ns = std::numeric_limits<int64_t>::max();
  node.uid = std::numeric_limits<uint32_t>::max();
  node.gid = 1000;
  node.type = "f64";
  node.xattrs = {{"user.a", std::string("\0\x80\xff", 3)}, {std::string("user.\xff", 6), ""}, {"user.empty", ""}};
  node.data_info = R"({"dataset":"0xabc","size":12})";
  node.origin = R"({"dataset":"0xabc","entry":"a/b","type":"string"})";
  node.target = std::string("../\xff target\0", 12);
  node.rdev = std::numeric_limits<uint64_t>::max();
  node.links = {{7, "second name"}, {std::numeric_limits<uint64_t>::max(), std::string("\0\xff", 2)}, {7, ""}};
  CHECK(same(decode_node(encode_node(node), "n/x"), node));

  core::NodeRecord plain;  // defaults: no type, no xattrs, empty strings
  const core::NodeRecord back = decode_node(encode_node(plain), "n/0");
  CHECK(same(back, plain));
  CHECK_FALSE(back.type.has_value());

  node.type = "";  // an empty type is not "no type"
  CHECK(decode_node(encode_node(node), "n/x").type == std::optional<std::string>(""));
}

TEST_CASE("records of formats 1 to 4 (before origins, atimes, special files, hard links) still load", "[cache]") {
  core::NodeRecord node;
  node.name = "old";
  std::string v4 = encode_node(node);
  v4[0] = 4;
  v4.pop_back();  // format 5 appended the (zero) count of other names
  CHECK(same(decode_node(v4, "n/4"), node));
  std::string v3 = v4;
  v3[0] = 3;
  v3.resize(v3.size() - 2);  // format 4 appended the (empty) target's length and the (zero) device
  CHECK(same(decode_node(v3, "n/3"), node));
  std::string v2 = v3;
  v2[0] = 2;
  v2.pop_back();  // format 3 appended the (zero) access time
  CHECK(same(decode_node(v2, "n/2"), node));
  std::string v1 = v2;
  v1[0] = 1;
  v1.pop_back();  // format 2 appended the (empty) origin's length
  CHECK(same(decode_node(v1, "n/1"), node));
}

TEST_CASE("corrupt node records are EIO naming the record", "[cache]") {
  const std::string good = encode_node(core::NodeRecord{});
  CHECK(test::errno_of([&] { decode_node(good.substr(0, good.size() - 3), "n/7"); }) == EIO);
  CHECK(test::errno_of([&] { decode_node("", "n/7"); }) == EIO);
  std::string later = good;
  later[0] = 6;  // a format this build doesn't know
  CHECK(test::errno_of([&] { decode_node(later, "n/7"); }) == EIO);
  CHECK(test::errno_of([&] { decode_node(good + "x", "n/7"); }) == EIO);  // trailing bytes
  std::string more_links = good;
  more_links.back() = 2;  // two other names announced, none there
  CHECK(test::errno_of([&] { decode_node(more_links, "n/7"); }) == EIO);
  std::string endless(13, '\xff');  // a varint that never ends
  endless[0] = 1;
  CHECK(test::errno_of([&] { decode_node(endless, "n/7"); }) == EIO);
  try {
    decode_node("not a record at all", "n/7");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("cache record n/7") != std::string::npos);
  }
}

TEST_CASE("sealed values open only under the same key and record key", "[cache]") {
  MasterKey key{};
  key[0] = 1;
  const std::string sealed = seal(key, "k/0xab", "secret");
  CHECK(sealed.size() == 1 + 24 + 6 + 16);
  CHECK(sealed.find("secret") == std::string::npos);
  CHECK(unseal(key, "k/0xab", sealed, "k/0xab") == "secret");
  CHECK(seal(key, "k/0xab", "secret") != sealed);                                  // random nonce
  CHECK(test::errno_of([&] { unseal(key, "k/0xac", sealed, "k/0xac"); }) == EIO);  // moved to another record
  MasterKey other = key;
  other[31] = 9;
  CHECK(test::errno_of([&] { unseal(other, "k/0xab", sealed, "k/0xab"); }) == EIO);
  std::string flipped = sealed;
  flipped[30] = static_cast<char>(flipped[30] ^ 1);
  CHECK(test::errno_of([&] { unseal(key, "k/0xab", flipped, "k/0xab"); }) == EIO);
  CHECK(test::errno_of([&] { unseal(key, "k/0xab", sealed.substr(0, 20), "k/0xab"); }) == EIO);
  CHECK(unseal(key, "j/1", seal(key, "j/1", ""), "j/1").empty());
}
