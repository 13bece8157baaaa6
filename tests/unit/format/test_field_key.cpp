#include <catch2/catch.hpp>

#include "protectedfs/format/field_key.hpp"
#include "protectedfs/util/error.hpp"

using namespace pfs;
using namespace pfs::format;

TEST_CASE("field keys of files: last extension dropped, other characters mapped to '_'", "[format]") {
  CHECK(file_key("scan 2024.pdf") == "scan_2024");
  CHECK(file_key("report.final.pdf") == "report_final");
  CHECK(file_key("email.txt") == "email");
  CHECK(file_key("notes") == "notes");
  CHECK(file_key("a.") == "a");
  CHECK(file_key("a..b") == "a_");
  CHECK(file_key("my-file_v2.tar.gz") == "my-file_v2_tar");
  CHECK(file_key("x+y=z!.bin") == "x_y_z_");
  CHECK(file_key("Tab\there.txt") == "Tab_here");
}

TEST_CASE("field keys of directories: the whole name", "[format]") {
  CHECK(directory_key("smtp") == "smtp");
  CHECK(directory_key("my docs.v2") == "my_docs_v2");
  CHECK(directory_key("a.b.c") == "a_b_c");
}

TEST_CASE("field keys: one '_' per code point, one per stray byte", "[format]") {
  CHECK(file_key("caf\xc3\xa9.txt") == "caf_");                          // é: 2 bytes, 1 character
  CHECK(file_key("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.pdf") == "___");  // 日本語
  CHECK(file_key("\xf0\x9f\x98\x80x") == "_x");                          // 😀: 4 bytes
  CHECK(file_key("e\xcc\x81.txt") == "e_");                              // e + combining acute: 2 code points, 1 mapped
  CHECK(directory_key("\xe2\x82\xac") == "_");                           // €
  CHECK(file_key("\xff\xfe.txt") == "__");                               // not UTF-8: per byte
  CHECK(file_key("a\xe2\x82") == "a__");                                 // truncated sequence: per byte
  CHECK(file_key("\xc0\xaf") == "__");                                   // overlong '/': per byte
  CHECK(is_valid_key(file_key("\xf0\x9f\x98\x80 \xff.x")));
}

TEST_CASE("field keys: local-only and empty names are refused", "[format]") {
  CHECK(is_local_only(".pdf"));
  CHECK(is_local_only(".file.swp"));
  CHECK(is_local_only("."));
  CHECK_FALSE(is_local_only("a.b"));
  CHECK_FALSE(is_local_only(""));
  for (const char* name : {".pdf", ".bashrc", ".a.b", ".", "..", ""}) {
    INFO(name);
    try {
      file_key(name);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == EINVAL);
    }
    CHECK_THROWS_AS(directory_key(name), Error);
  }
  try {
    file_key(".swp");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("local only"));
  }
}

TEST_CASE("is_valid_key is ^[A-Za-z0-9_-]+$", "[format]") {
  for (const char* ok : {"a", "Z", "0", "_", "-", "scan_2024", "A-b_9"}) CHECK(is_valid_key(ok));
  for (const char* bad : {"", " ", "a.b", "a b", "é", "a/b", "a\n", "*"}) CHECK_FALSE(is_valid_key(bad));
}

TEST_CASE("names for fields whose original name is unknown", "[format]") {
  CHECK(name_for_field("scan_2024", FieldType::Pdf) == "scan_2024.pdf");
  CHECK(name_for_field("photo", FieldType::Jpeg) == "photo.jpg");
  CHECK(name_for_field("email", FieldType::String) == "email");
  CHECK(name_for_field("blob", FieldType::OctetStream) == "blob");
}
