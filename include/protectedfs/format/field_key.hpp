// File and directory names ↔ field keys (SPEC.md §2, PROTOCOL.md §1.1).
//
// A key matches ^[A-Za-z0-9_-]+$. A file's key is its name without its last extension, a directory's key its whole
// name; then every character outside [A-Za-z0-9_-] becomes '_':
//   "scan 2024.pdf" → "scan_2024", "report.final.pdf" → "report_final", "notes" → "notes", "a." → "a".
// Characters, not bytes: a multibyte UTF-8 character (one code point) becomes ONE '_' ("café.txt" → "caf_"), so a
// name's key has as many characters as the name shows. A byte that is not part of well-formed UTF-8 (Linux names
// are arbitrary bytes) becomes one '_' per byte. Combining sequences are several code points, hence several '_'.
// Names starting with '.' are local only (never published, no key): the key functions refuse them (EINVAL), as
// they refuse a name whose key would be empty (only "" is left: any other name keeps at least its first character).
#pragma once
#include <string>
#include <string_view>

#include "protectedfs/format/field_type.hpp"

namespace pfs::format {

// Hidden files (editor swap files, rsync temporaries): kept locally, never in the schema.
constexpr bool is_local_only(std::string_view name) { return !name.empty() && name.front() == '.'; }

// ^[A-Za-z0-9_-]+$
bool is_valid_key(std::string_view key);

// EINVAL for a local-only name or one whose key would be empty.
std::string file_key(std::string_view file_name);
std::string directory_key(std::string_view directory_name);

// The name under which a field shows when its original file name is not known (made on another machine, by the
// SDK): the key plus the extension of its type (".pdf", ".jpg"…; none for scalars and octet-stream).
std::string name_for_field(std::string_view key, FieldType type);

}  // namespace pfs::format
