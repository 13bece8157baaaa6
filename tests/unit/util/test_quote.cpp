// The one escaping function for user text in log lines and error messages.
#include <catch2/catch.hpp>

#include "protectedfs/util/quote.hpp"

using namespace pfs;

TEST_CASE("user text is quoted with control bytes, quotes and non-ASCII escaped, and bounded", "[util]") {
  CHECK(quote("email.txt") == "\"email.txt\"");
  CHECK(quote("a\nb") == "\"a\\x0ab\"");  // a newline can't start a forged log line
  CHECK(quote("\x1b[31mred") == "\"\\x1b[31mred\"");
  CHECK(quote("say \"hi\" \\o/") == "\"say \\x22hi\\x22 \\x5co/\"");
  CHECK(quote("caf\xc3\xa9") == "\"caf\\xc3\\xa9\"");
  CHECK(quote(std::string("a\0b", 3)) == "\"a\\x00b\"");
  CHECK(quote(std::string(300, 'x')) == "\"" + std::string(kMaxQuotedBytes, 'x') + "\"...");
  CHECK(quote("abcdef", 3) == "\"abc\"...");
}

TEST_CASE("a log line's control bytes are escaped, the rest of it unchanged", "[util]") {
  CHECK(escape_controls("mkdir: \"a\\x0ab\" exists") == "mkdir: \"a\\x0ab\" exists");
  CHECK(escape_controls("x\n[2026-01-01] [info] forged\r\x7f") == "x\\x0a[2026-01-01] [info] forged\\x0d\\x7f");
  CHECK(escape_controls("caf\xc3\xa9") == "caf\xc3\xa9");
}
