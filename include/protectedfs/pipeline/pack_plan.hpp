// What goes into a protected data's zip, in order: directory entries and leaves. A leaf's bytes are an optional
// in-memory prefix (a borsh length) followed by a region of some content (a file, a staged field), or are entirely
// in memory (a borsh scalar), so the pipeline can stream any content without loading it.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::pipeline {

// Where a leaf's bytes come from: opened only when the pipeline reaches it, so a plan of thousands of files
// holds no descriptors. `size` is the content's size when planned; a different size when opened means the content
// changed in between (EBUSY).
struct LeafSource {
  std::string name;  // for messages: a path, or a field in the mount
  uint64_t size = 0;
  std::function<std::unique_ptr<RandomAccessSource>()> open;
};

struct ZipItem {
  std::string path;  // "a/b" for a leaf, "a/" for a directory
  bool directory = false;
  Bytes prefix;                 // written before the content region (or the whole leaf when there is none)
  LeafSource content;           // empty opener: the leaf is `prefix` alone
  uint64_t content_bytes = 0;   // how many bytes of the content, from its start
  std::optional<uint32_t> crc;  // the leaf's CRC-32 when already known (keeps the SDK's exact zip layout)

  uint64_t size() const { return prefix.size() + content_bytes; }
};

// The zip path of a leaf or object from its key path: {"contact", "phone"} → "contact/phone".
inline std::string zip_path_of(const std::vector<std::string>& keys) {
  std::string path;
  for (const auto& key : keys) path += (path.empty() ? "" : "/") + key;
  return path;
}

struct PackPlan {
  std::vector<ZipItem> items;
  std::string schema_json;  // compact, as registered on chain
  uint64_t leaf_bytes() const {
    uint64_t total = 0;
    for (const auto& item : items) total += item.size();
    return total;
  }
};

}  // namespace pfs::pipeline
