// The reverse of pack: an iExec protected file and its key back to a folder of fields.
//  - With the expected checksum, the whole file is hashed and compared before anything is decrypted (as iExec's
//    TEE pre-compute does); every zip entry's CRC-32 is checked as it is read.
//  - A field's type comes from the schema when given (the registered one, or pack's output); without a schema it
//    is guessed: MIME from the leading bytes, else a valid borsh string, else application/octet-stream (a bool,
//    f64 or i128 can't be told from raw bytes: pass the schema for those).
//  - Files are named by SPEC.md §2 for names not known on this machine: the key plus the type's extension.
//    Strings and scalars are written as text with a trailing newline (the newline is not part of the value, so
//    packing the folder again gives the same fields); scalars carry a `user.protected.type` attribute.
//  - Output appears atomically: built in a hidden sibling folder, renamed into place at the end; the target must
//    not exist or be an empty folder.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/format/field_type.hpp"
#include "protectedfs/format/schema.hpp"

namespace pfs::pipeline {

struct UnpackOptions {
  std::optional<std::string> checksum;  // "0x…" SHA-256 of the encrypted file
  std::optional<format::Schema> schema;
};

struct UnpackedField {
  std::string key_path;  // dot path, as in the schema
  format::FieldType type;
  std::filesystem::path file;  // relative to the output folder
};

struct UnpackResult {
  std::vector<UnpackedField> fields;
  format::Schema schema;  // as given, or as guessed
};

UnpackResult unpack(const std::filesystem::path& protected_file, const crypto::AesKey& key,
                    const std::filesystem::path& output_folder, const UnpackOptions& options = {});

}  // namespace pfs::pipeline
