#include "protectedfs/format/cid.hpp"

#include <algorithm>
#include <cstring>

#include "protectedfs/format/base58.hpp"
#include "protectedfs/util/error.hpp"

// Serialized forms (protobuf; dag-pb's canonical field order puts PBNode.Links (2) before PBNode.Data (1)):
//
//   leaf, n > 0:   0a <L> | 08 02 | 12 <n> <chunk> | 18 <n>             L = unixfs length
//   leaf, n = 0:   0a 04  | 08 02 | 18 00                               (no Data field; filesize 0 is written)
//   internal node: { 12 <len> | 0a 22 12 20 <digest> | 12 00 | 18 <tsize> }*  then  0a <L> | 08 02 | 18 <filesize>
//                  | { 20 <blocksize> }*                                 (Name "" is written; blocksizes not packed)
//
// This is what kubo (go-unixfs balanced importer + go-merkledag) and ipfs-unixfs-importer both produce.

namespace pfs::format {
namespace {

constexpr std::size_t varint_size(uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Appends a protobuf varint at out[pos], returns the new position. out must have room (10 bytes at most).
std::size_t put_varint(uint8_t* out, std::size_t pos, uint64_t v) {
  while (v >= 0x80) {
    out[pos++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[pos++] = static_cast<uint8_t>(v);
  return pos;
}

void append_varint(Bytes& out, uint64_t v) {
  uint8_t tmp[10];
  const std::size_t n = put_varint(tmp, 0, v);
  out.insert(out.end(), tmp, tmp + n);
}

constexpr std::size_t kLinkFixed = 2 + 34 + 2 + 1;  // Hash field + Name "" + Tsize tag

}  // namespace

CidBuilder::CidBuilder(std::size_t chunk_size, std::size_t max_links) : chunk_size_(chunk_size), max_links_(max_links) {
  if (chunk_size_ == 0) throw Error(EINVAL, "CID chunk size must be at least 1 byte");
  if (max_links_ < 2) throw Error(EINVAL, "CID DAG nodes need at least 2 links");
}

void CidBuilder::update(ByteView data) {
  if (data.empty()) return;
  content_size_ += data.size();
  if (buffered_ > 0) {
    const std::size_t missing = chunk_size_ - buffered_;
    if (data.size() < missing) {
      std::memcpy(buffer_.data() + buffered_, data.data(), data.size());
      buffered_ += data.size();
      return;
    }
    // The chunk completes: hash the buffered head and the caller's tail without joining them.
    add_leaf(ByteView(buffer_.data(), buffered_), data.first(missing));
    buffered_ = 0;
    data = data.subspan(missing);
  }
  while (data.size() >= chunk_size_) {
    add_leaf(data.first(chunk_size_), {});
    data = data.subspan(chunk_size_);
  }
  if (!data.empty()) {
    if (buffer_.size() != chunk_size_) buffer_.resize(chunk_size_);
    std::memcpy(buffer_.data(), data.data(), data.size());
    buffered_ = data.size();
  }
}

void CidBuilder::add_leaf(ByteView head, ByteView tail) {
  const uint64_t n = head.size() + tail.size();
  uint8_t prefix[32];
  std::size_t p = 0;
  uint8_t suffix[16];
  std::size_t s = 0;
  uint64_t node_size;
  if (n == 0) {
    const uint8_t empty[] = {0x0a, 0x04, 0x08, 0x02, 0x18, 0x00};
    std::memcpy(prefix, empty, sizeof empty);
    p = sizeof empty;
    node_size = p;
  } else {
    const uint64_t unixfs = 2 + 1 + varint_size(n) + n + 1 + varint_size(n);
    prefix[p++] = 0x0a;
    p = put_varint(prefix, p, unixfs);
    prefix[p++] = 0x08;
    prefix[p++] = 0x02;
    prefix[p++] = 0x12;
    p = put_varint(prefix, p, n);
    suffix[s++] = 0x18;
    s = put_varint(suffix, s, n);
    node_size = 1 + varint_size(unixfs) + unixfs;
  }
  sha_.update(ByteView(prefix, p));
  sha_.update(head);
  sha_.update(tail);
  sha_.update(ByteView(suffix, s));
  ++leaves_;
  push_link(0, Link{sha_.finish(), node_size, n});
}

// Adds a finished node at `level`; a level that reaches max_links is a complete batch and becomes one node of the
// level above at once, so no level ever holds more than max_links - 1 links between calls.
void CidBuilder::push_link(std::size_t level, const Link& first) {
  Link link = first;
  for (;;) {
    if (levels_.size() <= level) {
      levels_.emplace_back();
      levels_.back().reserve(max_links_);
    }
    auto& links = levels_[level];
    links.push_back(link);
    if (links.size() < max_links_) return;
    link = make_parent(links);
    links.clear();
    ++level;
  }
}

CidBuilder::Link CidBuilder::make_parent(std::vector<Link>& children) {
  node_.clear();
  uint64_t tsize_sum = 0;
  uint64_t filesize = 0;
  std::size_t blocksizes_len = 0;
  for (const Link& c : children) {
    node_.push_back(0x12);
    append_varint(node_, kLinkFixed + varint_size(c.tsize));
    const uint8_t hash_head[] = {0x0a, 0x22, 0x12, 0x20};
    node_.insert(node_.end(), hash_head, hash_head + sizeof hash_head);
    node_.insert(node_.end(), c.digest.begin(), c.digest.end());
    node_.push_back(0x12);  // Name: "" (written, as kubo does)
    node_.push_back(0x00);
    node_.push_back(0x18);
    append_varint(node_, c.tsize);
    tsize_sum += c.tsize;
    filesize += c.filesize;
    blocksizes_len += 1 + varint_size(c.filesize);
  }
  node_.push_back(0x0a);
  append_varint(node_, 2 + 1 + varint_size(filesize) + blocksizes_len);
  node_.push_back(0x08);
  node_.push_back(0x02);
  node_.push_back(0x18);
  append_varint(node_, filesize);
  for (const Link& c : children) {
    node_.push_back(0x20);
    append_varint(node_, c.filesize);
  }
  sha_.update(node_);
  return Link{sha_.finish(), node_.size() + tsize_sum, filesize};
}

CidResult CidBuilder::finish() {
  // The last, short chunk; or the one empty chunk of an empty file.
  if (buffered_ > 0 || leaves_ == 0) add_leaf(ByteView(buffer_.data(), buffered_), {});
  buffered_ = 0;

  // Close the pending batches bottom-up. A level whose single link has nothing pending above it is the root (at
  // level 0 that is the single-chunk file, which kubo does not wrap); otherwise its links get a parent.
  Link root{};
  for (std::size_t level = 0; level < levels_.size(); ++level) {
    if (levels_[level].empty()) continue;
    const bool above = std::any_of(levels_.begin() + static_cast<std::ptrdiff_t>(level) + 1, levels_.end(),
                                   [](const std::vector<Link>& l) { return !l.empty(); });
    if (!above && levels_[level].size() == 1) {
      root = levels_[level].front();
      break;
    }
    const Link parent = make_parent(levels_[level]);
    levels_[level].clear();
    push_link(level + 1, parent);
  }

  CidResult result;
  result.cid = cid_v0_from_digest(root.digest);
  result.digest = root.digest;
  result.cumulative_size = root.tsize;
  result.content_size = content_size_;
  reset();
  return result;
}

void CidBuilder::reset() {
  buffered_ = 0;
  content_size_ = 0;
  leaves_ = 0;
  for (auto& l : levels_) l.clear();
}

CidResult CidBuilder::of(ByteView data, std::size_t chunk_size, std::size_t max_links) {
  CidBuilder builder(chunk_size, max_links);
  builder.update(data);
  return builder.finish();
}

Bytes sha256_multihash(const Hash32& digest) {
  Bytes out(2 + digest.size());
  out[0] = 0x12;  // sha2-256
  out[1] = 0x20;  // 32 bytes
  std::copy(digest.begin(), digest.end(), out.begin() + 2);
  return out;
}

std::string cid_v0_from_digest(const Hash32& digest) { return base58_encode(sha256_multihash(digest)); }

Hash32 cid_v0_digest(std::string_view cid) {
  if (cid.size() != 46 || cid.substr(0, 2) != "Qm")
    throw Error(EINVAL, "not a CIDv0 (expected 46 base58 characters starting with Qm): '" + std::string(cid) + "'");
  const Bytes multihash = base58_decode(cid);  // throws EINVAL on a bad character
  if (multihash.size() != 34 || multihash[0] != 0x12 || multihash[1] != 0x20)
    throw Error(EINVAL, "not a CIDv0 (not a sha2-256 multihash): '" + std::string(cid) + "'");
  Hash32 digest;
  std::copy(multihash.begin() + 2, multihash.end(), digest.begin());
  return digest;
}

bool is_cid_v0(std::string_view cid) {
  try {
    cid_v0_digest(cid);
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace pfs::format
