// What goes into a protected data's zip, in order: directory entries and leaves. A leaf's bytes are an optional
// in-memory prefix (a borsh length) followed by a region of a file, or are entirely in memory (a borsh scalar), so
// the pipeline can stream any file without loading it.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "protectedfs/util/bytes.hpp"

namespace pfs::pipeline {

struct ZipItem {
  std::string path;  // "a/b" for a leaf, "a/" for a directory
  bool directory = false;
  Bytes prefix;                     // written before the file region (or the whole leaf when there is no file)
  std::filesystem::path file;       // empty: the leaf is `prefix` alone
  uint64_t file_bytes = 0;          // how many bytes of `file`, from its start
  uint64_t file_size = 0;           // the file's size when planned (a text's dropped newline makes it differ)
  std::optional<uint32_t> crc;      // the leaf's CRC-32 when already known (keeps the SDK's exact zip layout)

  uint64_t size() const { return prefix.size() + file_bytes; }
};

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
