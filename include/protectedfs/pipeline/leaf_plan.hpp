// How one leaf's content becomes a zip entry and a schema type (SPEC.md §2), for any content: a file for
// `pack`, a staged field for the file system's publisher.
//  - by content: the MIME type of the leading bytes (the two weak signatures yield to text), else UTF-8 text
//    without NUL is a `string` (one trailing newline dropped), else application/octet-stream;
//  - by the user's `user.protected.type`: bool/f64/i128 are parsed from their text (EINVAL naming the content),
//    `string` must be text, other types take the bytes as they are.
// Text is scanned once here, for UTF-8 and the entry's CRC-32 together (so its zip entry keeps the SDK's exact
// layout); binary content is only opened for its leading bytes and read once, later, by the pipeline.
#pragma once
#include <string>

#include "protectedfs/format/field_type.hpp"
#include "protectedfs/pipeline/pack_plan.hpp"

namespace pfs::pipeline {

struct PlannedLeaf {
  ZipItem item;
  format::FieldType type;
};

PlannedLeaf plan_detected_leaf(const std::string& zip_path, const LeafSource& source);
PlannedLeaf plan_typed_leaf(const std::string& zip_path, const LeafSource& source, format::FieldType type);

}  // namespace pfs::pipeline
