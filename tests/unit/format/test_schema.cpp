#include <algorithm>
#include <catch2/catch.hpp>

#include "protectedfs/format/schema.hpp"
#include "protectedfs/util/error.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::format;

namespace {

Schema mixed_object() {
  // vectors/schema.json mixed_object, built field by field in the SDK's insertion order.
  Schema s;
  s.add("email", FieldType::String);
  s.add("age", FieldType::F64);
  s.add("big", FieldType::I128);
  s.add("ok", FieldType::Bool);
  s.add("doc", FieldType::Pdf);
  Schema& nested = s.add_object("nested");
  nested.add("inner", FieldType::String);
  nested.add("pic", FieldType::Png);
  return s;
}

std::string parse_error(std::string_view json) {
  try {
    Schema::parse(json);
  } catch (const Error& e) {
    CHECK(e.code() == EINVAL);
    return e.what();
  }
  FAIL("accepted: " << json);
  return {};
}

}  // namespace

TEST_CASE("schema JSON is exactly the SDK's (vectors/schema.json mixed_object)", "[format]") {
  const std::string expected =
      test::load_vectors("schema.json").at("mixed_object").at("schema_json").get<std::string>();
  const Schema s = mixed_object();
  CHECK(s.to_json() == expected);
  const Schema parsed = Schema::parse(expected);
  CHECK(parsed == s);
  CHECK(parsed.to_json() == expected);
}

TEST_CASE("schema: the PROTOCOL.md example, searchable form, lookups", "[format]") {
  Schema s;
  s.add("email", FieldType::String);
  s.add("doc", FieldType::Pdf);
  s.add_object("smtp").add("port", FieldType::F64);
  CHECK(s.to_json() == R"({"email":"string","doc":"application/pdf","smtp":{"port":"f64"}})");
  CHECK(s.searchable() == std::vector<std::string>{"email:string", "doc:application/pdf", "smtp.port:f64"});
  CHECK(s.find("smtp.port") == FieldType::F64);
  CHECK(s.find("email") == FieldType::String);
  CHECK_FALSE(s.find("smtp"));  // an object, not a leaf
  CHECK_FALSE(s.find("smtp.port.x"));
  CHECK_FALSE(s.find("nope"));
  CHECK_FALSE(s.find(""));
  CHECK_FALSE(s.find("smtp."));
  CHECK_FALSE(s.find(".smtp"));
  REQUIRE(s.find_object("smtp") != nullptr);
  CHECK(s.find_object("smtp")->size() == 1);
  CHECK(s.find_object("email") == nullptr);
  const auto leaves = mixed_object().leaves();
  REQUIRE(leaves.size() == 7);
  CHECK(leaves[6] == std::pair<std::string, FieldType>{"nested.pic", FieldType::Png});
  CHECK(Schema{}.to_json() == "{}");
  CHECK(Schema::parse(R"({"a":{}})").to_json() == R"({"a":{}})");
}

TEST_CASE("schema: keys order like a JavaScript object (array indices first)", "[format]") {
  // node -e 'const o={}; for (const k of ["b","10","a","9","01","-1","4294967295","4294967294","0"]) o[k]="string";
  //          o.n={z:"f64","2":"bool"}; console.log(JSON.stringify(o))'
  Schema s;
  for (const char* k : {"b", "10", "a", "9", "01", "-1", "4294967295", "4294967294", "0"}) s.add(k, FieldType::String);
  Schema& n = s.add_object("n");
  n.add("z", FieldType::F64);
  n.add("2", FieldType::Bool);
  const std::string js =
      R"({"0":"string","9":"string","10":"string","4294967294":"string","b":"string","a":"string","01":"string",)"
      R"("-1":"string","4294967295":"string","n":{"2":"bool","z":"f64"}})";
  CHECK(s.to_json() == js);
  CHECK(Schema::parse(js).to_json() == js);
  CHECK(is_array_index_key("0"));
  CHECK(is_array_index_key("4294967294"));
  CHECK_FALSE(is_array_index_key("4294967295"));
  CHECK_FALSE(is_array_index_key("99999999999"));
  CHECK_FALSE(is_array_index_key("01"));
  CHECK_FALSE(is_array_index_key("-1"));
  CHECK_FALSE(is_array_index_key(""));
}

TEST_CASE("schema: the one key order (javascript_key_less): indices numerically first, then names", "[format]") {
  std::vector<std::string> keys{"b", "10", "a", "9", "01", "4294967295", "0", "B", "4294967294"};
  std::sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) { return javascript_key_less(x, y); });
  CHECK(keys == std::vector<std::string>{"0", "9", "10", "4294967294", "01", "4294967295", "B", "a", "b"});
  CHECK_FALSE(javascript_key_less("a", "a"));
  CHECK_FALSE(javascript_key_less("10", "9"));
}

TEST_CASE("schema: building refuses bad and duplicate keys", "[format]") {
  Schema s;
  s.add("a", FieldType::String);
  CHECK_THROWS_AS(s.add("a", FieldType::Bool), Error);
  CHECK_THROWS_AS(s.add("a", Schema{}), Error);
  CHECK_THROWS_AS(s.add("", FieldType::Bool), Error);
  CHECK_THROWS_AS(s.add("a.b", FieldType::Bool), Error);
  CHECK_THROWS_AS(s.add_object("x y"), Error);
  CHECK(s.size() == 1);
}

TEST_CASE("schema: parse refuses what the SDK would not register", "[format]") {
  CHECK_THAT(parse_error(""), Catch::Contains("not valid JSON"));
  CHECK_THAT(parse_error("{"), Catch::Contains("not valid JSON"));
  CHECK_THAT(parse_error(R"({"a":"string",})"), Catch::Contains("not valid JSON"));
  CHECK_THAT(parse_error(R"({"a":"string"} x)"), Catch::Contains("not valid JSON"));
  CHECK_THAT(parse_error(R"("string")"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(parse_error("[]"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(parse_error("42"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(parse_error("null"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(parse_error(R"({"a b":"string"})"), Catch::Contains("\"a b\"") && Catch::Contains("invalid"));
  CHECK_THAT(parse_error(R"({"":"string"})"), Catch::Contains("invalid"));
  CHECK_THAT(parse_error(R"({"x":{"é":"string"}})"), Catch::Contains("in \"x\""));
  CHECK_THAT(parse_error(R"({"a":"boolean"})"),
             Catch::Contains("unknown field type \"boolean\"") && Catch::Contains("at \"a\""));
  CHECK_THAT(parse_error(R"({"s":{"p":"number"}})"), Catch::Contains("at \"s.p\""));
  CHECK_THAT(parse_error(R"({"a":["string","bool"]})"), Catch::Contains("array") && Catch::Contains("\"a\""));
  CHECK_THAT(parse_error(R"({"a":1})"), Catch::Contains("found a number"));
  CHECK_THAT(parse_error(R"({"a":1.5})"), Catch::Contains("found a number"));
  CHECK_THAT(parse_error(R"({"a":-1})"), Catch::Contains("found a number"));
  CHECK_THAT(parse_error(R"({"a":true})"), Catch::Contains("found a boolean"));
  CHECK_THAT(parse_error(R"({"a":null})"), Catch::Contains("found null"));
  CHECK_THAT(parse_error(R"({"a":"string","a":"bool"})"), Catch::Contains("duplicate"));
  CHECK_THAT(parse_error(R"({"a":{"b":"bool"},"a":{}})"), Catch::Contains("duplicate"));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "\"string\"";
  for (int i = 0; i < 100; ++i) deep += "}";
  CHECK_THAT(parse_error(deep), Catch::Contains("deeper than"));
}

TEST_CASE("schema: parse accepts whitespace and keeps order", "[format]") {
  const Schema s = Schema::parse(" {\n  \"z\": \"bool\",\n  \"a\": { \"m\" : \"image/jpeg\" },\n  \"k\":\"i128\"\n}\n");
  CHECK(s.to_json() == R"({"z":"bool","a":{"m":"image/jpeg"},"k":"i128"})");
  CHECK(s.searchable() == std::vector<std::string>{"z:bool", "a.m:image/jpeg", "k:i128"});
}
