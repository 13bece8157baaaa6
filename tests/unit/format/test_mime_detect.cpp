#include <catch2/catch.hpp>

#include "protectedfs/format/mime_detect.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::format;

namespace {

FieldType detect_hex(std::string_view hex) { return detect_mime(from_hex(hex)); }

}  // namespace

TEST_CASE("detection matches the SDK on vectors/schema.json by_leading_bytes", "[format]") {
  const auto vectors = test::load_vectors("schema.json");
  REQUIRE(vectors.at("by_leading_bytes").size() >= 20);
  for (const auto& v : vectors.at("by_leading_bytes")) {
    INFO(v.at("name").get<std::string>());
    CHECK(to_string(detect_hex(v.at("bytes_hex").get<std::string>())) == v.at("type").get<std::string>());
  }
}

TEST_CASE("detection matches the SDK on the generated corpus (tests/interop/schema_corpus.mjs)", "[format]") {
  std::ifstream in(std::string(PFS_VECTOR_DIR) + "/../unit/format/schema_corpus.json");
  REQUIRE(in);
  const auto corpus = nlohmann::json::parse(in);
  REQUIRE(corpus.size() > 3000);
  std::size_t mismatches = 0;
  for (const auto& entry : corpus) {
    const std::string hex = entry.at("hex").get<std::string>();
    const std::string want = entry.at("type").get<std::string>();
    const auto got = to_string(detect_hex(hex));
    if (got != want) {
      ++mismatches;
      if (mismatches <= 20) FAIL_CHECK(hex << ": SDK says " << want << ", detect_mime says " << got);
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("detection quirks of magic-bytes.js that the SDK inherits", "[format]") {
  // A lone 'G' is an MPEG transport stream; GIF87a/GIF89a override it, a truncated or odd GIF header does not.
  CHECK(detect_mime(as_bytes("G")) == FieldType::VideoMpeg);
  CHECK(detect_mime(as_bytes("Good morning")) == FieldType::VideoMpeg);
  CHECK(detect_mime(as_bytes("GIF89a")) == FieldType::Gif);
  CHECK(detect_mime(as_bytes("GIF89")) == FieldType::VideoMpeg);
  CHECK(detect_mime(as_bytes("GIF88a")) == FieldType::VideoMpeg);
  // "ftyp" at offset 4 is mp4 and wins over any offset-0 signature...
  CHECK(detect_hex("000000186674797069736f6d") == FieldType::Mp4);
  CHECK(detect_hex("89504e4766747970") == FieldType::Mp4);
  CHECK(detect_hex("52494646667479705741564520") == FieldType::Mp4);
  // ...unless a longer, unsupported brand replaces it (quicktime, heif, avif): then offset 0 decides.
  CHECK(detect_hex("000000186674797071") == FieldType::Mp4);  // "ftypq": the walk ends before "qt"
  CHECK(detect_hex("00000018667479707174") == FieldType::OctetStream);
  CHECK(detect_hex("000001ba667479707174") == FieldType::VideoMpeg);
  CHECK(detect_hex("0000001866747970617669660000") == FieldType::OctetStream);
  CHECK(detect_hex("00000018667479706d696631") == FieldType::OctetStream);
  CHECK(detect_hex("0000001866747970686569630000") == FieldType::OctetStream);
  // RIFF needs its form type in full.
  CHECK(detect_hex("524946460000000057454250") == FieldType::Webp);
  CHECK(detect_hex("5249464600000000574542") == FieldType::OctetStream);
  CHECK(detect_hex("52494658000000005741564520") == FieldType::OctetStream);
  // A UTF-8 BOM before %PDF is still a PDF; "<?xml" needs its space.
  CHECK(detect_hex("efbbbf255044462d") == FieldType::Pdf);
  CHECK(detect_mime(as_bytes("<?xml version")) == FieldType::Xml);
  CHECK(detect_mime(as_bytes("<?xml\tversion")) == FieldType::OctetStream);
  // Text that happens to start like a signature.
  CHECK(detect_mime(as_bytes("BMW")) == FieldType::Bmp);
  CHECK(detect_mime(as_bytes("ID3")) == FieldType::AudioMpeg);
  CHECK(detect_mime(as_bytes("{\"json\":1}")) == FieldType::OctetStream);
  CHECK(detect_mime({}) == FieldType::OctetStream);
}

TEST_CASE("only the first kMimeDetectBytes bytes matter", "[format]") {
  // Against the SDK itself: every corpus input longer than the prefix gets the SDK's answer from its prefix alone.
  std::ifstream in(std::string(PFS_VECTOR_DIR) + "/../unit/format/schema_corpus.json");
  REQUIRE(in);
  std::size_t longer = 0;
  for (const auto& entry : nlohmann::json::parse(in)) {
    const Bytes bytes = from_hex(entry.at("hex").get<std::string>());
    if (bytes.size() <= kMimeDetectBytes) continue;
    ++longer;
    INFO(entry.at("hex").get<std::string>());
    CHECK(to_string(detect_mime(ByteView(bytes).first(kMimeDetectBytes))) == entry.at("type").get<std::string>());
  }
  CHECK(longer > 1000);
  // And whatever follows a full prefix cannot change the answer.
  for (const char* hex : {"524946460000000057415645", "000000186674797069736f6d", "474946383961000000000000",
                          "89504e470d0a1a0a0000000d", "4f6767530002000000000000", "000000186674797071740000"}) {
    const Bytes prefix = from_hex(hex);
    REQUIRE(prefix.size() == kMimeDetectBytes);
    for (int tail : {0x00, 0x20, 0x74, 0xff}) {
      Bytes extended = prefix;
      extended.resize(64, static_cast<uint8_t>(tail));
      CHECK(detect_mime(extended) == detect_mime(prefix));
    }
  }
}
