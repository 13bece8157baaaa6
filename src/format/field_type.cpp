#include "protectedfs/format/field_type.hpp"

#include <string>

#include "format/quote.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::format {

namespace {

struct TypeInfo {
  std::string_view name;
  std::string_view extension;
};

// Indexed by the enum's value; the static_assert below keeps the two in step.
constexpr std::array<TypeInfo, kAllFieldTypes.size()> kInfo = {{
    {"bool", ""},
    {"f64", ""},
    {"i128", ""},
    {"string", ""},
    {"application/octet-stream", ""},
    {"application/pdf", ".pdf"},
    {"application/xml", ".xml"},
    {"application/zip", ".zip"},
    {"audio/midi", ".mid"},
    {"audio/mpeg", ".mp3"},
    {"audio/x-wav", ".wav"},
    {"image/bmp", ".bmp"},
    {"image/gif", ".gif"},
    {"image/jpeg", ".jpg"},
    {"image/png", ".png"},
    {"image/webp", ".webp"},
    {"video/mp4", ".mp4"},
    {"video/mpeg", ".mpg"},
    {"video/x-msvideo", ".avi"},
}};
static_assert(static_cast<std::size_t>(FieldType::Avi) + 1 == kInfo.size());

const TypeInfo& info(FieldType type) { return kInfo[static_cast<std::size_t>(type)]; }

}  // namespace

std::string_view to_string(FieldType type) { return info(type).name; }

std::string_view extension_for(FieldType type) { return info(type).extension; }

FieldType parse_field_type(std::string_view text) {
  for (FieldType type : kAllFieldTypes)
    if (info(type).name == text) return type;
  std::string accepted;
  for (FieldType type : kAllFieldTypes) {
    if (!accepted.empty()) accepted += ", ";
    accepted += info(type).name;
  }
  throw Error(EINVAL, "unknown field type " + detail::quoted(text) + " (expected one of: " + accepted + ")");
}

}  // namespace pfs::format
