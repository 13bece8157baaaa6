// Turns a folder into the fields of one protected data (SPEC.md §2), without reading whole files into memory:
//  - a file is a leaf, a sub-folder a nested object; names starting with '.' are local only and skipped;
//  - keys: the name without its last extension (a folder's whole name), characters outside [A-Za-z0-9_-] → '_';
//    fields in key order; two names with the same key in one folder → EEXIST;
//  - symlinks, devices, FIFOs and sockets → EPERM; nothing to protect → EINVAL;
//  - type: the `user.protected.type` extended attribute if set (the content must parse as that type), else the
//    MIME type of the leading bytes, else `string` for UTF-8 text without NUL (one trailing newline dropped),
//    else application/octet-stream.
// Text is scanned once here (for UTF-8 and its CRC-32, so its zip entry keeps the SDK's exact layout); binary
// files are only opened for their leading bytes and are read once, later, by the pipeline.
#pragma once
#include <filesystem>

#include "protectedfs/format/schema.hpp"
#include "protectedfs/pipeline/pack_plan.hpp"

namespace pfs::pipeline {

constexpr const char* kTypeAttribute = "user.protected.type";

struct FolderPlan {
  PackPlan plan;
  format::Schema schema;
};

FolderPlan plan_folder(const std::filesystem::path& folder);

}  // namespace pfs::pipeline
