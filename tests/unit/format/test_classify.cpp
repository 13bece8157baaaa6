#include <catch2/catch.hpp>

#include "protectedfs/format/classify.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::format;

namespace {

FieldType classify_text(std::string_view s) { return classify_content(as_bytes(s)); }

}  // namespace

TEST_CASE("classify: MIME first, then UTF-8 text, then octet-stream (SPEC.md §2)", "[format]") {
  CHECK(classify_text("alice@example.com\n") == FieldType::String);
  CHECK(classify_text("caf\xc3\xa9 \xe2\x82\xac") == FieldType::String);
  CHECK(classify_text("") == FieldType::String);  // the empty string
  CHECK(classify_text("\n") == FieldType::String);
  CHECK(classify_text("%PDF-1.7\n") == FieldType::Pdf);  // a MIME match wins over text
  CHECK(classify_text("<?xml version=\"1.0\"?><a/>") == FieldType::Xml);
  // The one- and two-byte signatures (MPEG-TS 'G', BMP "BM") don't win over text; they do over binary content.
  CHECK(classify_text("Good morning\n") == FieldType::String);
  CHECK(classify_text("BMI 22.5\n") == FieldType::String);
  CHECK(classify_text(std::string_view("G\x40\x00\x10", 4)) == FieldType::VideoMpeg);
  CHECK(classify_text(std::string_view("BM\x36\x00\x00\x00", 6)) == FieldType::Bmp);
  CHECK(classify_text("ID3 tags\n") == FieldType::AudioMpeg);  // three bytes: trusted, as in the SDK
  CHECK(classify_text(std::string_view("text\0with NUL", 13)) == FieldType::OctetStream);
  CHECK(classify_text("bad \xff byte") == FieldType::OctetStream);
  CHECK(classify_text("truncated \xe2\x82") == FieldType::OctetStream);
  CHECK(classify_text("{\"json\": true}") == FieldType::String);  // application/json is not supported: text
}

TEST_CASE("classify: vectors/schema.json contents", "[format]") {
  const auto vectors = test::load_vectors("schema.json");
  for (const auto& v : vectors.at("by_leading_bytes")) {
    const std::string name = v.at("name").get<std::string>();
    const std::string sdk = v.at("type").get<std::string>();
    const Bytes bytes = from_hex(v.at("bytes_hex").get<std::string>());
    INFO(name);
    if (sdk != "application/octet-stream") {
      CHECK(to_string(classify_content(bytes)) == sdk);
    } else {
      // Not a supported MIME: text when it is UTF-8 without NUL, else binary.
      const FieldType want = Utf8Validator::valid(bytes) ? FieldType::String : FieldType::OctetStream;
      CHECK(classify_content(bytes) == want);
    }
  }
}

TEST_CASE("classify: one trailing newline is not part of the value", "[format]") {
  CHECK(string_value_length(6, true) == 5);   // "hello\n"
  CHECK(string_value_length(5, false) == 5);  // "hello"
  CHECK(string_value_length(7, true) == 6);   // "hello\n\n" keeps one newline
  CHECK(string_value_length(1, true) == 0);   // "\n"
  CHECK(string_value_length(0, false) == 0);
}

TEST_CASE("classify: a value longer than 4 GiB - 1 bytes cannot be a borsh string", "[format]") {
  const uint64_t four_gib = uint64_t{1} << 32;
  ContentFacts facts{FieldType::OctetStream, true, four_gib - 1, false};
  CHECK(classify(facts) == FieldType::String);
  facts = {FieldType::OctetStream, true, four_gib, false};
  CHECK(classify(facts) == FieldType::OctetStream);
  facts = {FieldType::OctetStream, true, four_gib, true};  // the newline is dropped: 4 GiB - 1 bytes of value
  CHECK(classify(facts) == FieldType::String);
  facts = {FieldType::OctetStream, true, four_gib + 1, true};
  CHECK(classify(facts) == FieldType::OctetStream);
  facts = {FieldType::Png, true, four_gib * 4, false};  // binary types have no such limit
  CHECK(classify(facts) == FieldType::Png);
  facts = {FieldType::OctetStream, false, 10, false};
  CHECK(classify(facts) == FieldType::OctetStream);
}

TEST_CASE("classify: streaming gives the same answer for any chunking", "[format]") {
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  for (const std::string& content : {png, std::string("hello w\xc3\xb6rld\n"), std::string("RIFF\0\0\0\0WAVEfmt ", 16),
                                     std::string("plain\0binary", 12), std::string("ends without newline")}) {
    const FieldType whole = classify_content(as_bytes(content));
    for (std::size_t chunk = 1; chunk <= content.size(); ++chunk) {
      ContentClassifier c;
      for (std::size_t at = 0; at < content.size(); at += chunk)
        c.feed(as_bytes(std::string_view(content).substr(at, chunk)));
      c.feed({});  // empty chunks are harmless
      CHECK(c.result() == whole);
      const ContentFacts f = c.facts();
      CHECK(f.size == content.size());
      CHECK(f.ends_with_newline == (content.back() == '\n'));
    }
  }
  CHECK(classify_content(as_bytes(png)) == FieldType::Png);
  CHECK(classify_content(as_bytes("hello w\xc3\xb6rld\n")) == FieldType::String);
}
