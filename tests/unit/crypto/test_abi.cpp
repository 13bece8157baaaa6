// Solidity ABI: calldata, selectors and topics against the reference vectors; strict decoding of network data.
#include <catch2/catch.hpp>

#include <functional>

#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/eip712.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;

namespace {
nlohmann::json abi_vectors() { return test::load_vectors("abi.json"); }

}  // namespace

TEST_CASE("createDatasetWithSchema calldata and selector match the vector", "[crypto]") {
  auto v = abi_vectors().at("createDatasetWithSchema");
  const auto& args = v.at("args");
  const std::string signature = "createDatasetWithSchema(address,string,string,bytes,bytes32)";
  CHECK(to_hex0x(abi::selector(signature)) == v.at("selector").get<std::string>());
  Bytes calldata = abi::encode_call(
      signature,
      {abi::Value::address(Address::parse(args[0].get<std::string>())), abi::Value::string(args[1].get<std::string>()),
       abi::Value::string(args[2].get<std::string>()), abi::Value::bytes(from_hex(args[3].get<std::string>())),
       abi::Value::bytes32(from_hex_fixed<32>(args[4].get<std::string>()))});
  CHECK(to_hex0x(calldata) == v.at("calldata").get<std::string>());
}

TEST_CASE("DatasetSchema event: topic0 and data decoding match the vector", "[crypto]") {
  auto v = abi_vectors().at("DatasetSchema_event");
  CHECK(to_hex0x(abi::event_topic("DatasetSchema(address,string)")) == v.at("topic0").get<std::string>());
  Bytes data = from_hex(v.at("data_for_schema").get<std::string>());
  CHECK(abi::decode_string(data) == v.at("schema").get<std::string>());
  CHECK(abi::Decoder(data).string(0) == v.at("schema").get<std::string>());
}

TEST_CASE("manageDatasetOrder(CLOSE) calldata matches the vector", "[crypto]") {
  auto v = abi_vectors().at("manageDatasetOrder_close");
  const auto& o = v.at("order");
  DatasetOrder order = DatasetOrder::from_json(o);
  Bytes sign = from_hex(o.at("sign").get<std::string>());
  const std::string signature =
      "manageDatasetOrder(((address,uint256,uint256,bytes32,address,address,address,bytes32,bytes),uint8,bytes))";
  CHECK(to_hex0x(abi::selector(signature)) == v.at("selector").get<std::string>());
  abi::Value order_tuple = abi::Value::tuple(
      {abi::Value::address(order.dataset), abi::Value::uint256(order.datasetprice), abi::Value::uint256(order.volume),
       abi::Value::bytes32(order.tag), abi::Value::address(order.apprestrict),
       abi::Value::address(order.workerpoolrestrict), abi::Value::address(order.requesterrestrict),
       abi::Value::bytes32(order.salt), abi::Value::bytes(sign)});
  abi::Value operation = abi::Value::tuple(
      {order_tuple, abi::Value::uint8(static_cast<uint8_t>(v.at("operation").get<int>())), abi::Value::bytes({})});
  CHECK(to_hex0x(abi::encode_call(signature, {operation})) == v.at("calldata").get<std::string>());
}

TEST_CASE("topics, selectors and simple calls match the vectors", "[crypto]") {
  auto v = abi_vectors();
  CHECK(to_hex0x(abi::event_topic("ClosedDatasetOrder(bytes32)")) ==
        v.at("ClosedDatasetOrder_topic0").get<std::string>());
  CHECK(to_hex0x(abi::selector("domain()")) == v.at("domain_selector").get<std::string>());
  for (auto& [name, selector] : v.at("dataset_getters").items()) {
    INFO(name);
    CHECK(to_hex0x(abi::selector(name + "()")) == selector.get<std::string>());
    CHECK(to_hex0x(abi::encode_call(name + "()", {})) == selector.get<std::string>());
  }

  auto consumed = v.at("viewConsumed");
  CHECK(to_hex0x(abi::encode_call("viewConsumed(bytes32)",
                                  {abi::Value::bytes32(from_hex_fixed<32>(consumed.at("arg").get<std::string>()))})) ==
        consumed.at("calldata").get<std::string>());

  auto transfer = v.at("safeTransferFrom");
  const auto& args = transfer.at("args");
  CHECK(to_hex0x(abi::encode_call("safeTransferFrom(address,address,uint256)",
                                  {abi::Value::address(Address::parse(args[0].get<std::string>())),
                                   abi::Value::address(Address::parse(args[1].get<std::string>())),
                                   abi::Value::uint256(Uint256::from_decimal(args[2].get<std::string>()))})) ==
        transfer.at("calldata").get<std::string>());
}

TEST_CASE("string return decoding matches the vector (UTF-8 bytes kept)", "[crypto]") {
  auto v = abi_vectors().at("decode_string_return");
  CHECK(abi::decode_string(from_hex(v.at("data").get<std::string>())) == v.at("value").get<std::string>());
}

TEST_CASE("encode_call refuses arguments that do not match the signature", "[crypto]") {
  Address a;
  CHECK(test::errno_of([&] { abi::encode_call("f(address)", {abi::Value::uint256(1)}); }) == EINVAL);
  CHECK(test::errno_of([&] { abi::encode_call("f(address)", {}); }) == EINVAL);
  CHECK(test::errno_of([&] { abi::encode_call("f(uint)", {abi::Value::uint256(1)}); }) == EINVAL);  // not canonical
  CHECK(test::errno_of([&] {
          abi::encode_call("f(address, address)", {abi::Value::address(a), abi::Value::address(a)});
        }) == EINVAL);
  CHECK(test::errno_of([&] { abi::encode_call("(address)", {abi::Value::address(a)}); }) == EINVAL);
  CHECK(test::errno_of([&] { abi::encode_call("f", {}); }) == EINVAL);
  CHECK(test::errno_of([] { abi::Value::uint(8, 256); }) == EINVAL);
  CHECK(test::errno_of([] { abi::Value::uint(7, 1); }) == EINVAL);
  CHECK(abi::encode_call("f(bool,uint8)", {abi::Value::boolean(true), abi::Value::uint8(255)}).size() == 4 + 64);
}

TEST_CASE("static words decode strictly", "[crypto]") {
  Bytes data = abi::encode({abi::Value::address(Address::parse("0x1111111111111111111111111111111111111111")),
                            abi::Value::uint256(Uint256::max()), abi::Value::boolean(true)});
  abi::Decoder d(data);
  CHECK(d.address(0).to_lowercase() == "0x1111111111111111111111111111111111111111");
  CHECK(d.uint256(1) == Uint256::max());
  CHECK(d.bytes32(1)[0] == 0xff);
  CHECK(d.boolean(2));
  CHECK(test::errno_of([&] { d.word(3); }) == EINVAL);                          // past the end
  CHECK(test::errno_of([&] { d.address(1); }) == EINVAL);                       // upper bytes set
  CHECK(test::errno_of([&] { d.boolean(1); }) == EINVAL);                       // neither 0 nor 1
  CHECK(test::errno_of([&] { abi::decode_uint256(Bytes(31, 0)); }) == EINVAL);  // truncated word
  CHECK(test::errno_of([] { abi::address_from_word(Uint256::max().bytes()); }) == EINVAL);
  CHECK(abi::decode_address(abi::encode({abi::Value::address(Address())})).is_zero());
}

TEST_CASE("dynamic values round-trip and truncated or out-of-range data is refused", "[crypto]") {
  Bytes payload = test::generated_bytes(100, 3);
  Bytes data = abi::encode({abi::Value::uint256(7), abi::Value::bytes(payload), abi::Value::string("")});
  abi::Decoder d(data);
  CHECK(d.uint256(0).to_uint64() == 7);
  CHECK(d.bytes(1) == payload);
  CHECK(d.string(2).empty());
  CHECK(test::errno_of([&] { d.bytes(0); }) == EINVAL);  // offset 7 leaves no room for a length word

  // Layout: 3 head words (96 bytes), the bytes at 96 (length word + 128 padded bytes, up to 256), the empty string
  // at 256 (its length word, up to 288). Every truncation is refused, never read out of bounds.
  REQUIRE(data.size() == 288);
  for (std::size_t cut = 0; cut < data.size(); ++cut) {
    Bytes truncated(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(cut));
    abi::Decoder t(truncated);
    INFO("cut at " << cut);
    CHECK(test::errno_of([&] { t.string(2); }) == EINVAL);
    if (cut < 256) CHECK(test::errno_of([&] { t.bytes(1); }) == EINVAL);
    else CHECK(t.bytes(1) == payload);
  }

  Bytes huge_offset = abi::encode({abi::Value::uint256(Uint256::max())});
  CHECK(test::errno_of([&] { abi::decode_string(huge_offset); }) == EINVAL);
  Bytes huge_length = abi::encode({abi::Value::uint256(32), abi::Value::uint256(Uint256::max())});
  CHECK(test::errno_of([&] { abi::decode_bytes(huge_length); }) == EINVAL);
  Bytes long_length = abi::encode({abi::Value::uint256(32), abi::Value::uint256(33)});  // 33 bytes announced, 0 given
  CHECK(test::errno_of([&] { abi::decode_bytes(long_length); }) == EINVAL);
  Bytes unpadded = abi::encode({abi::Value::uint256(32), abi::Value::uint256(1)});
  unpadded.push_back(0x61);  // one content byte without its padding
  CHECK(test::errno_of([&] { abi::decode_string(unpadded); }) == EINVAL);
}
