// The type of one leaf field of a protected data: the four borsh scalars, or one of the binary MIME types that the
// iExec SDK accepts (PROTOCOL.md §1.2). The set is closed: the SDK refuses any other type string in a schema, so an
// unknown one is bad input (EINVAL), never a new type.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace pfs::format {

enum class FieldType : uint8_t {
  // Scalars: their content is borsh-encoded inside the zip.
  Bool,
  F64,
  I128,
  String,
  // Binary: their content is the file's raw bytes. Order and spelling follow the SDK's SUPPORTED_MIME_TYPES.
  OctetStream,  // application/octet-stream
  Pdf,          // application/pdf
  Xml,          // application/xml
  Zip,          // application/zip
  Midi,         // audio/midi
  AudioMpeg,    // audio/mpeg
  Wav,          // audio/x-wav
  Bmp,          // image/bmp
  Gif,          // image/gif
  Jpeg,         // image/jpeg
  Png,          // image/png
  Webp,         // image/webp
  Mp4,          // video/mp4
  VideoMpeg,    // video/mpeg
  Avi,          // video/x-msvideo
};

// Every type, scalars first then binaries, for iteration (tests, help texts).
inline constexpr std::array<FieldType, 19> kAllFieldTypes = {
    FieldType::Bool, FieldType::F64, FieldType::I128,      FieldType::String, FieldType::OctetStream,
    FieldType::Pdf,  FieldType::Xml, FieldType::Zip,       FieldType::Midi,   FieldType::AudioMpeg,
    FieldType::Wav,  FieldType::Bmp, FieldType::Gif,       FieldType::Jpeg,   FieldType::Png,
    FieldType::Webp, FieldType::Mp4, FieldType::VideoMpeg, FieldType::Avi,
};

// The schema spelling: "bool", "f64", "i128", "string" or the MIME type ("image/png").
std::string_view to_string(FieldType type);

// Inverse of to_string, exact and case-sensitive (the SDK compares strings as they are). Throws pfs::Error(EINVAL)
// naming the unknown type and the accepted ones. The SDK's legacy searchable types ("boolean", "number") are not
// field types and are refused too.
FieldType parse_field_type(std::string_view text);

// True for the MIME types (content stored raw), false for the borsh scalars.
constexpr bool is_binary(FieldType type) { return type >= FieldType::OctetStream; }

// The extension (with its dot) that names a field whose original file name is unknown (SPEC.md §2): ".pdf", ".jpg"…
// Empty for application/octet-stream and for the scalars, whose files carry no extension.
std::string_view extension_for(FieldType type);

}  // namespace pfs::format
