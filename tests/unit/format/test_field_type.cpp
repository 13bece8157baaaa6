#include <catch2/catch.hpp>

#include "protectedfs/format/field_type.hpp"
#include "protectedfs/util/error.hpp"

using namespace pfs;
using namespace pfs::format;

TEST_CASE("field types round-trip through their schema spelling", "[format]") {
  for (FieldType type : kAllFieldTypes) CHECK(parse_field_type(to_string(type)) == type);
  CHECK(to_string(FieldType::Bool) == "bool");
  CHECK(to_string(FieldType::F64) == "f64");
  CHECK(to_string(FieldType::I128) == "i128");
  CHECK(to_string(FieldType::String) == "string");
  CHECK(to_string(FieldType::OctetStream) == "application/octet-stream");
  CHECK(to_string(FieldType::Avi) == "video/x-msvideo");
  CHECK(to_string(FieldType::Wav) == "audio/x-wav");
  CHECK(parse_field_type("video/mpeg") == FieldType::VideoMpeg);
  CHECK(parse_field_type("audio/mpeg") == FieldType::AudioMpeg);
}

TEST_CASE("the 15 binary types are the SDK's list and the scalars are not binary", "[format]") {
  int binaries = 0;
  for (FieldType type : kAllFieldTypes) binaries += is_binary(type) ? 1 : 0;
  CHECK(binaries == 15);
  CHECK_FALSE(is_binary(FieldType::Bool));
  CHECK_FALSE(is_binary(FieldType::F64));
  CHECK_FALSE(is_binary(FieldType::I128));
  CHECK_FALSE(is_binary(FieldType::String));
  CHECK(is_binary(FieldType::OctetStream));
  CHECK(is_binary(FieldType::Png));
}

TEST_CASE("unknown type strings are refused with EINVAL", "[format]") {
  for (const char* bad : {"", "boolean", "number", "IMAGE/PNG", "image/svg+xml", "video/quicktime", "audio/ogg",
                          " string", "string ", "int", "u128", "text/plain"}) {
    INFO(bad);
    try {
      parse_field_type(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == EINVAL);
      CHECK_THAT(e.what(), Catch::Contains("unknown field type") && Catch::Contains("image/png"));
    }
  }
  // A huge or hostile type string is echoed bounded and escaped.
  try {
    parse_field_type(std::string(10000, 'x') + "\n\x1b[31m");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).size() < 700);
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }
}

TEST_CASE("extensions for fields whose original name is unknown", "[format]") {
  CHECK(extension_for(FieldType::Pdf) == ".pdf");
  CHECK(extension_for(FieldType::Xml) == ".xml");
  CHECK(extension_for(FieldType::Zip) == ".zip");
  CHECK(extension_for(FieldType::Midi) == ".mid");
  CHECK(extension_for(FieldType::AudioMpeg) == ".mp3");
  CHECK(extension_for(FieldType::Wav) == ".wav");
  CHECK(extension_for(FieldType::Bmp) == ".bmp");
  CHECK(extension_for(FieldType::Gif) == ".gif");
  CHECK(extension_for(FieldType::Jpeg) == ".jpg");
  CHECK(extension_for(FieldType::Png) == ".png");
  CHECK(extension_for(FieldType::Webp) == ".webp");
  CHECK(extension_for(FieldType::Mp4) == ".mp4");
  CHECK(extension_for(FieldType::VideoMpeg) == ".mpg");
  CHECK(extension_for(FieldType::Avi) == ".avi");
  CHECK(extension_for(FieldType::OctetStream).empty());
  CHECK(extension_for(FieldType::Bool).empty());
  CHECK(extension_for(FieldType::F64).empty());
  CHECK(extension_for(FieldType::I128).empty());
  CHECK(extension_for(FieldType::String).empty());
}
