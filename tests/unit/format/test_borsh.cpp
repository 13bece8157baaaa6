#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "protectedfs/format/borsh.hpp"
#include "protectedfs/util/error.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::format;

namespace {

constexpr i128 kI128Max = static_cast<i128>((static_cast<u128>(1) << 127) - 1);
constexpr i128 kI128Min = -kI128Max - 1;

// Runs `f`, requires a pfs::Error with EINVAL, returns its message.
template <typename F>
std::string einval(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.code() == EINVAL);
    return e.what();
  }
  FAIL("no error thrown");
  return {};
}

}  // namespace

TEST_CASE("borsh: every vector of vectors/borsh.json encodes and decodes", "[format]") {
  const auto vectors = test::load_vectors("borsh.json");
  REQUIRE(vectors.size() >= 11);
  for (const auto& v : vectors) {
    const std::string type = v.at("type").get<std::string>();
    const std::string hex = v.at("hex").get<std::string>();
    const Bytes bytes = from_hex(hex);
    INFO(type << " " << v.at("value").dump());
    if (type == "bool") {
      const bool value = v.at("value").get<bool>();
      CHECK(to_hex(encode_bool(value)) == hex);
      CHECK(decode_bool(bytes) == value);
    } else if (type == "f64") {
      const double value = v.at("value").get<double>();
      CHECK(to_hex(encode_f64(value)) == hex);
      CHECK(decode_f64(bytes) == value);
      CHECK(parse_f64(to_text(value)) == value);
    } else if (type == "i128") {
      const std::string text = v.at("value").get<std::string>();
      const i128 value = parse_i128(text);
      CHECK(to_hex(encode_i128(value)) == hex);
      CHECK(to_text(decode_i128(bytes)) == text);
    } else if (type == "string") {
      const std::string value = v.at("value").get<std::string>();
      CHECK(to_hex(encode_string(value)) == hex);
      CHECK(decode_string(bytes) == value);
    } else {
      FAIL("unknown vector type " << type);
    }
    CHECK(to_hex(scalar_from_text(parse_field_type(type), scalar_to_text(parse_field_type(type), bytes))) == hex);
  }
}

TEST_CASE("borsh: i128 extremes, f64 special values, strings with NUL", "[format]") {
  CHECK(to_hex(encode_i128(kI128Max)) == "ffffffffffffffffffffffffffffff7f");
  CHECK(to_hex(encode_i128(kI128Min)) == "00000000000000000000000000000080");
  CHECK(to_hex(encode_i128(-1)) == "ffffffffffffffffffffffffffffffff");
  CHECK(decode_i128(encode_i128(kI128Min)) == kI128Min);
  CHECK(decode_i128(encode_i128(kI128Max)) == kI128Max);
  CHECK(to_hex(encode_f64(-0.0)) == "0000000000000080");
  CHECK(std::signbit(decode_f64(encode_f64(-0.0))));
  CHECK(decode_f64(encode_f64(std::numeric_limits<double>::denorm_min())) == std::numeric_limits<double>::denorm_min());
  CHECK(to_hex(encode_string(std::string_view("a\0b", 3))) == "03000000610062");
  CHECK(decode_string(from_hex("03000000610062")) == std::string("a\0b", 3));
  CHECK(to_hex(encode_string_length(0xffffffffu)) == "ffffffff");
  CHECK(decode_string_length(from_hex("05000000"), 9) == 5);
}

TEST_CASE("borsh: bad values and bad bytes are refused with EINVAL", "[format]") {
  CHECK_THAT(einval([] { encode_f64(std::nan("")); }), Catch::Contains("finite"));
  CHECK_THAT(einval([] { encode_f64(std::numeric_limits<double>::infinity()); }), Catch::Contains("infinity"));
  einval([] { encode_f64(-std::numeric_limits<double>::infinity()); });
  CHECK_THAT(einval([] { encode_string("bad \xff"); }), Catch::Contains("UTF-8"));
  einval([] { encode_string("cut \xe2\x82"); });
  CHECK_THAT(einval([] { encode_string_length(uint64_t{1} << 32); }), Catch::Contains("4294967295"));

  CHECK_THAT(einval([] { decode_bool(from_hex("02")); }), Catch::Contains("00 or 01"));
  CHECK_THAT(einval([] { decode_bool(from_hex("")); }), Catch::Contains("1 byte"));
  einval([] { decode_bool(from_hex("0100")); });
  CHECK_THAT(einval([] { decode_f64(from_hex("000000000000f8")); }), Catch::Contains("8 bytes"));
  CHECK_THAT(einval([] { decode_f64(from_hex("000000000000f87f")); }), Catch::Contains("NaN"));  // NaN
  CHECK_THAT(einval([] { decode_f64(from_hex("000000000000f07f")); }), Catch::Contains("infinity"));
  CHECK_THAT(einval([] { decode_i128(from_hex("ff")); }), Catch::Contains("16 bytes"));
  einval([] { decode_i128(Bytes(17)); });
  CHECK_THAT(einval([] { decode_string(from_hex("0500")); }), Catch::Contains("4-byte length"));
  CHECK_THAT(einval([] { decode_string(from_hex("0500000061")); }), Catch::Contains("announces 5"));
  einval([] { decode_string(from_hex("01000000616263")); });  // trailing bytes
  CHECK_THAT(einval([] { decode_string(from_hex("01000000ff")); }), Catch::Contains("UTF-8"));
  einval([] { decode_string(from_hex("03000000eda080")); });  // a surrogate
  einval([] { decode_string_length(from_hex("05000000"), 8); });
  einval([] { decode_string_length(from_hex("05000000"), 2); });
  einval([] { scalar_from_text(FieldType::Png, "x"); });
  einval([] { scalar_to_text(FieldType::OctetStream, from_hex("00")); });
}

TEST_CASE("text: bool", "[format]") {
  CHECK(parse_bool("true"));
  CHECK(parse_bool("1"));
  CHECK_FALSE(parse_bool("false"));
  CHECK_FALSE(parse_bool("0"));
  CHECK(parse_bool("true\n"));
  CHECK(parse_bool("  true \r\n"));
  CHECK_FALSE(parse_bool("\tfalse\n"));
  for (const char* bad : {"", "\n", "True", "TRUE", "yes", "2", "01", "t", "true false", "true\nx", "-1"}) {
    INFO(bad);
    CHECK_THAT(einval([&] { parse_bool(bad); }), Catch::Contains("expected true, false, 1 or 0"));
  }
  CHECK(to_text(true) == "true");
  CHECK(to_text(false) == "false");
}

TEST_CASE("text: f64", "[format]") {
  CHECK(parse_f64("1.5") == 1.5);
  CHECK(parse_f64("-0.1\n") == -0.1);
  CHECK(parse_f64(" 12345678.875 ") == 12345678.875);
  CHECK(parse_f64("+3") == 3.0);
  CHECK(parse_f64(".5") == 0.5);
  CHECK(parse_f64("5.") == 5.0);
  CHECK(parse_f64("1e3") == 1000.0);
  CHECK(parse_f64("1E-3") == 0.001);
  CHECK(parse_f64("2.5e+2") == 250.0);
  CHECK(parse_f64("1.7976931348623157e308") == std::numeric_limits<double>::max());
  CHECK(std::signbit(parse_f64("-0")));
  // Underflow rounds to signed zero, like JavaScript's Number("1e-400").
  CHECK(parse_f64("1e-400") == 0.0);
  CHECK(std::signbit(parse_f64("-1e-400")));
  CHECK(
      parse_f64("0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000001") == 0.0);
  CHECK_THAT(einval([] { parse_f64("1e400"); }), Catch::Contains("out of f64 range"));
  CHECK_THAT(einval([] { parse_f64("-2e308"); }), Catch::Contains("out of f64 range"));
  CHECK_THAT(einval([] { parse_f64("0.00001e99999"); }), Catch::Contains("out of f64 range"));
  for (const char* bad :
       {"",    " ",  "nan", "NaN", "inf", "-inf", "Infinity", "0x1p3", "0x10",   "1,5", "1.5.2", "1e",
        "1e+", "e5", ".",   "-",   "+",   "+-1",  "--1",      "1 2",   "1.5abc", "abc", "1_000", "١"}) {
    INFO(bad);
    CHECK_THAT(einval([&] { parse_f64(bad); }), Catch::Contains("expected a finite decimal number"));
  }
  // Shortest round-trip text.
  CHECK(to_text(1.5) == "1.5");
  CHECK(to_text(-0.1) == "-0.1");
  CHECK(to_text(12345678.875) == "12345678.875");
  CHECK(to_text(0.1 + 0.2) == "0.30000000000000004");
  CHECK(to_text(1e21) == "1e+21");
  CHECK(to_text(42.0) == "42");
  CHECK(to_text(-0.0) == "-0");
  for (double d : {0.1, 1.0 / 3, 6.02214076e23, 5e-324, std::numeric_limits<double>::max(), -123.456e-78})
    CHECK(parse_f64(to_text(d)) == d);
}

TEST_CASE("text: i128", "[format]") {
  CHECK(parse_i128("42") == 42);
  CHECK(parse_i128("-2\n") == -2);
  CHECK(parse_i128("+7") == 7);
  CHECK(parse_i128(" 007 ") == 7);
  CHECK(parse_i128("-0") == 0);
  CHECK(parse_i128("170141183460469231731687303715884105727") == kI128Max);
  CHECK(parse_i128("-170141183460469231731687303715884105728") == kI128Min);
  CHECK(to_text(kI128Max) == "170141183460469231731687303715884105727");
  CHECK(to_text(kI128Min) == "-170141183460469231731687303715884105728");
  CHECK(to_text(static_cast<i128>(0)) == "0");
  CHECK(to_text(static_cast<i128>(-1)) == "-1");
  CHECK_THAT(einval([] { parse_i128("170141183460469231731687303715884105728"); }),
             Catch::Contains("out of i128 range"));
  CHECK_THAT(einval([] { parse_i128("-170141183460469231731687303715884105729"); }),
             Catch::Contains("out of i128 range"));
  CHECK_THAT(einval([] { parse_i128("99999999999999999999999999999999999999999999999999"); }),
             Catch::Contains("out of i128 range"));
  for (const char* bad : {"", "\n", "-", "+", "1.0", "1e3", "0x10", "12a", "1 2", "--1", "+-1", "one", "1_000"}) {
    INFO(bad);
    CHECK_THAT(einval([&] { parse_i128(bad); }), Catch::Contains("expected a decimal integer for i128"));
  }
  // A long non-number is not "out of range": the better error wins.
  CHECK_THAT(einval([] { parse_i128("999999999999999999999999999999999999999999x"); }), Catch::Contains("expected"));
}

TEST_CASE("text: errors quote a bounded, escaped prefix of what was found", "[format]") {
  const std::string huge = "\x1b[31m" + std::string(100000, 'z') + "\n";
  for (const std::string& message :
       {einval([&] { parse_bool(huge); }), einval([&] { parse_f64(huge); }), einval([&] { parse_i128(huge); })}) {
    CHECK(message.size() < 200);
    CHECK(message.find('\x1b') == std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
    CHECK_THAT(message, Catch::Contains("\"\\x1b[31mzzz") && Catch::Contains("..."));
  }
  CHECK_THAT(einval([] { parse_bool("yes"); }), Catch::Equals("expected true, false, 1 or 0 for bool, found \"yes\""));
}

TEST_CASE("scalar text ↔ borsh for field contents", "[format]") {
  CHECK(to_hex(scalar_from_text(FieldType::Bool, "true\n")) == "01");
  CHECK(to_hex(scalar_from_text(FieldType::F64, "1.5\n")) == "000000000000f83f");
  CHECK(to_hex(scalar_from_text(FieldType::I128, "42\n")) == "2a000000000000000000000000000000");
  CHECK(to_hex(scalar_from_text(FieldType::String, "hi\n")) == "020000006869");      // one newline dropped
  CHECK(to_hex(scalar_from_text(FieldType::String, "hi\n\n")) == "0300000068690a");  // only one
  CHECK(to_hex(scalar_from_text(FieldType::String, "")) == "00000000");
  CHECK(scalar_to_text(FieldType::F64, from_hex("9a9999999999b9bf")) == "-0.1");
  CHECK(scalar_to_text(FieldType::String, from_hex("050000006869e282ac")) == "hi\xe2\x82\xac");
  einval([] { scalar_from_text(FieldType::I128, "4.2"); });
  einval([] { scalar_from_text(FieldType::Bool, "maybe"); });
}
