#include "protectedfs/format/field_key.hpp"

#include "format/quote.hpp"
#include "protectedfs/format/utf8.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::format {

namespace {

bool is_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Maps `stem` to a key, one output character per input character (code point, or stray byte).
std::string map_to_key(std::string_view stem) {
  std::string key;
  key.reserve(stem.size());
  std::size_t i = 0;
  while (i < stem.size()) {
    if (is_key_char(stem[i])) {
      key += stem[i++];
      continue;
    }
    const std::size_t len = utf8_sequence_length(as_bytes(stem.substr(i)));
    key += '_';
    i += len == 0 ? 1 : len;
  }
  return key;
}

std::string checked_key(std::string_view name, std::string_view stem, const char* what) {
  if (is_local_only(name))
    throw Error(EINVAL, std::string(what) + " name " + detail::quoted(name) +
                            " starts with '.': such names are local only and have no field key");
  if (stem.empty())
    throw Error(EINVAL, std::string(what) + " name " + detail::quoted(name) + " gives an empty field key");
  return map_to_key(stem);
}

}  // namespace

bool is_valid_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!is_key_char(c)) return false;
  return true;
}

std::string file_key(std::string_view file_name) {
  // The last extension is everything from the last '.'; a leading '.' would start a local-only name instead.
  const std::size_t dot = file_name.rfind('.');
  const std::string_view stem = dot == std::string_view::npos ? file_name : file_name.substr(0, dot);
  return checked_key(file_name, stem, "file");
}

std::string directory_key(std::string_view directory_name) {
  return checked_key(directory_name, directory_name, "directory");
}

std::string name_for_field(std::string_view key, FieldType type) {
  return std::string(key) + std::string(extension_for(type));
}

}  // namespace pfs::format
