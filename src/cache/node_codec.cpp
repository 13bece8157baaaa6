#include "cache/node_codec.hpp"

#include <cerrno>
#include <limits>
#include <stdexcept>

#include "protectedfs/util/error.hpp"

namespace pfs::cache {

namespace {

// 2 added the origin of fields not held locally, 3 the access time, 4 the target and device of special files, 5 the
// other names of hard-linked nodes
constexpr uint8_t kFormat = 5;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

// Reads what put_* wrote; any overrun, overlong varint or out-of-range value is a corrupt record.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  uint8_t byte() {
    if (pos_ >= in_.size()) throw std::invalid_argument("truncated");
    return static_cast<uint8_t>(in_[pos_++]);
  }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t b = byte();
      if (shift == 63 && b > 1) throw std::invalid_argument("varint overflow");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    throw std::invalid_argument("varint too long");
  }

  template <typename T>
  T unsigned_as() {
    const uint64_t v = varint();
    if (v > std::numeric_limits<T>::max()) throw std::invalid_argument("value out of range");
    return static_cast<T>(v);
  }

  int64_t signed_() { return unzigzag(varint()); }

  std::string bytes() {
    const uint64_t n = varint();
    if (n > in_.size() - pos_) throw std::invalid_argument("truncated string");
    std::string out(in_.substr(pos_, n));
    pos_ += n;
    return out;
  }

  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode_node(const core::NodeRecord& node) {
  std::string out;
  out.reserve(64 + node.name.size() + node.data_info.size());
  out.push_back(static_cast<char>(kFormat));
  put_varint(out, node.ino);
  put_varint(out, node.parent);
  put_varint(out, zigzag(node.kind));
  put_varint(out, node.mode);
  put_varint(out, node.size);
  put_varint(out, zigzag(node.mtime_ns));
  put_varint(out, zigzag(node.ctime_ns));
  put_varint(out, node.uid);
  put_varint(out, node.gid);
  put_bytes(out, node.name);
  out.push_back(node.type ? 1 : 0);
  if (node.type) put_bytes(out, *node.type);
  put_varint(out, node.xattrs.size());
  for (const auto& [name, value] : node.xattrs) {
    put_bytes(out, name);
    put_bytes(out, value);
  }
  put_bytes(out, node.data_info);
  put_bytes(out, node.origin);
  put_varint(out, zigzag(node.atime_ns));
  put_bytes(out, node.target);
  put_varint(out, node.rdev);
  put_varint(out, node.links.size());
  for (const core::NodeName& link : node.links) {
    put_varint(out, link.parent);
    put_bytes(out, link.name);
  }
  return out;
}

core::NodeRecord decode_node(std::string_view bytes, const std::string& what) {
  try {
    Reader in(bytes);
    const uint8_t format = in.byte();
    if (format < 1 || format > kFormat)
      throw std::invalid_argument("format " + std::to_string(format) + " (this build reads " + std::to_string(kFormat) +
                                  ")");
    core::NodeRecord node;
    node.ino = in.varint();
    node.parent = in.varint();
    const int64_t kind = in.signed_();
    if (kind < std::numeric_limits<int>::min() || kind > std::numeric_limits<int>::max())
      throw std::invalid_argument("kind out of range");
    node.kind = static_cast<int>(kind);
    node.mode = in.unsigned_as<uint32_t>();
    node.size = in.varint();
    node.mtime_ns = in.signed_();
    node.ctime_ns = in.signed_();
    node.uid = in.unsigned_as<uint32_t>();
    node.gid = in.unsigned_as<uint32_t>();
    node.name = in.bytes();
    const uint8_t has_type = in.byte();
    if (has_type > 1) throw std::invalid_argument("bad type flag");
    if (has_type) node.type = in.bytes();
    const uint64_t xattrs = in.varint();
    for (uint64_t i = 0; i < xattrs; ++i) {
      std::string name = in.bytes();
      if (!node.xattrs.emplace(std::move(name), in.bytes()).second) throw std::invalid_argument("duplicate xattr");
    }
    node.data_info = in.bytes();
    if (format >= 2) node.origin = in.bytes();
    if (format >= 3) node.atime_ns = in.signed_();  // earlier records: 0, shown as the mtime
    if (format >= 4) {                              // earlier records: no special files
      node.target = in.bytes();
      node.rdev = in.varint();
    }
    if (format >= 5) {  // earlier records: one name each
      const uint64_t links = in.varint();
      for (uint64_t i = 0; i < links; ++i) {
        core::NodeName link;
        link.parent = in.varint();
        link.name = in.bytes();
        node.links.push_back(std::move(link));
      }
    }
    if (!in.done()) throw std::invalid_argument("trailing bytes");
    return node;
  } catch (const std::invalid_argument& e) {
    throw Error(EIO, "cache record " + what + ": corrupt node record: " + e.what());
  }
}

}  // namespace pfs::cache
