// The IPFS CIDv0 of a content stream, exactly as kubo's `ipfs add` computes it with its defaults, in one streaming
// pass: fixed-size chunks (256 KiB), each a dag-pb leaf holding UnixFS Data{Type=File, Data=chunk, filesize}
// (no raw leaves), combined into a balanced DAG of at most 174 links per node whose internal nodes hold UnixFS
// Data{Type=File, filesize, blocksizes} and links {Hash, Name="", Tsize}. A single-chunk file is its leaf.
//
// Memory: one chunk buffer (used only for bytes that do not arrive as whole chunks in one update) plus at most
// max_links pending links per tree level. Chunks are hashed straight from the caller's memory (a chunk that straddles
// two updates is hashed from the buffered head and the caller's tail), so the cost is that of SHA-256 over the
// content plus a few bytes per chunk; only a trailing partial chunk is copied.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

inline constexpr std::size_t kIpfsChunkSize = 262144;  // kubo's default chunker: size-262144
inline constexpr std::size_t kIpfsMaxLinks = 174;      // kubo's balanced layout: links per node

struct CidResult {
  std::string cid;               // CIDv0, base58btc "Qm…" (46 characters)
  Hash32 digest{};               // SHA-256 of the serialized root node (the multihash's digest)
  uint64_t cumulative_size = 0;  // root node + every node below it, serialized: the `Size` kubo's add returns
  uint64_t content_size = 0;     // bytes of content fed
};

class CidBuilder {
 public:
  // chunk_size >= 1 and max_links >= 2, else pfs::Error(EINVAL). The defaults are kubo's; other values exist so
  // that deep trees can be tested on small inputs.
  explicit CidBuilder(std::size_t chunk_size = kIpfsChunkSize, std::size_t max_links = kIpfsMaxLinks);

  // Feeds content; any number of calls of any sizes (including empty).
  void update(ByteView data);
  // Completes the DAG and returns its root. The builder is then reset and can compute another CID.
  CidResult finish();

  uint64_t content_size() const { return content_size_; }

  // One-shot convenience.
  static CidResult of(ByteView data, std::size_t chunk_size = kIpfsChunkSize, std::size_t max_links = kIpfsMaxLinks);

 private:
  struct Link {
    Hash32 digest;
    uint64_t tsize;     // cumulative serialized size of the child's subtree
    uint64_t filesize;  // content bytes under the child (its UnixFS blocksize entry)
  };

  void add_leaf(ByteView head, ByteView tail);  // one chunk, possibly in two pieces
  void push_link(std::size_t level, const Link& link);
  Link make_parent(std::vector<Link>& children);
  void reset();

  std::size_t chunk_size_;
  std::size_t max_links_;
  crypto::Sha256 sha_;
  Bytes buffer_;  // a partial chunk; allocated on first use
  std::size_t buffered_ = 0;
  uint64_t content_size_ = 0;
  uint64_t leaves_ = 0;
  std::vector<std::vector<Link>> levels_;  // levels_[0]: leaves not yet under a parent, levels_[1]: their parents…
  Bytes node_;                             // scratch for serializing an internal node
};

// The 34-byte sha2-256 multihash: 0x12 0x20 <digest>.
Bytes sha256_multihash(const Hash32& digest);
// CIDv0 text of a sha2-256 digest: base58btc of the multihash.
std::string cid_v0_from_digest(const Hash32& digest);
// Parses a CIDv0 ("Qm…", 46 characters, base58btc of 0x12 0x20 <digest>); pfs::Error(EINVAL) on anything else.
Hash32 cid_v0_digest(std::string_view cid);
// True when cid_v0_digest would accept the text.
bool is_cid_v0(std::string_view cid);

}  // namespace pfs::format
