// EIP-712: DatasetOrder hashes and signatures and the market login header, against the reference vectors.
#include <catch2/catch.hpp>

#include "protectedfs/crypto/eip712.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;

TEST_CASE("DatasetOrder type hash, domain separator, struct hash, order hash and signature match the vectors",
          "[crypto]") {
  auto vectors = test::load_vectors("eip712.json").at("dataset_orders");
  REQUIRE(vectors.size() >= 2);
  for (const auto& v : vectors) {
    Eip712Domain domain = Eip712Domain::from_json(v.at("domain"));
    DatasetOrder order = DatasetOrder::from_json(v.at("order"));
    PrivateKey key = PrivateKey::from_hex(v.at("signer_private_key").get<std::string>());

    CHECK(to_hex0x(DatasetOrder::type_hash()) == v.at("type_hash").get<std::string>());
    CHECK(to_hex0x(domain.separator()) == v.at("domain_separator").get<std::string>());
    CHECK(to_hex0x(order.struct_hash()) == v.at("struct_hash").get<std::string>());
    CHECK(to_hex0x(order.hash(domain)) == v.at("order_hash").get<std::string>());
    auto sign = order.sign(key, domain);
    CHECK(to_hex0x(sign) == v.at("sign").get<std::string>());
    CHECK(recover_address(order.hash(domain), sign) == key.address());

    // The JSON form round-trips, and the helper builds the same PoCo domain.
    CHECK(DatasetOrder::from_json(order.to_json()).hash(domain) == order.hash(domain));
    CHECK(poco_domain(domain.chain_id, *domain.verifying_contract).separator() == domain.separator());
  }
}

TEST_CASE("DatasetOrder type string is PoCo's", "[crypto]") {
  CHECK(DatasetOrder().to_struct().encode_type() ==
        "DatasetOrder(address dataset,uint256 datasetprice,uint256 volume,bytes32 tag,address apprestrict,"
        "address workerpoolrestrict,address requesterrestrict,bytes32 salt)");
  CHECK(Eip712Domain{"n", "v", 1, std::nullopt}.to_struct().encode_type() ==
        "EIP712Domain(string name,string version,uint256 chainId)");
}

TEST_CASE("market login hash, signature and authorization header match the vector", "[crypto]") {
  auto v = test::load_vectors("eip712.json").at("market_login");
  PrivateKey key = PrivateKey::from_hex("0x0101010101010101010101010101010101010101010101010101010101010101");

  // The typed data as the market API serves it, wrapped or not.
  nlohmann::json typed = {
      {"types", v.at("types")}, {"domain", v.at("domain")}, {"primaryType", "Challenge"}, {"message", v.at("message")}};
  MarketLoginRequest request = MarketLoginRequest::from_json(typed);
  CHECK(MarketLoginRequest::from_json({{"ok", true}, {"data", typed}}).message.challenge == request.message.challenge);
  CHECK(request.domain.separator() == market_login_domain(42161).separator());

  Hash32 hash = typed_data_hash(request.domain, request.message);
  CHECK(to_hex0x(hash) == v.at("hash").get<std::string>());
  CHECK(to_hex0x(sign_typed_data(key, request.domain, request.message)) == v.at("signature").get<std::string>());
  CHECK(market_authorization(key, request.domain, request.message) == v.at("authorization_header").get<std::string>());
}

TEST_CASE("typed data we do not understand is refused", "[crypto]") {
  auto v = test::load_vectors("eip712.json").at("market_login");
  nlohmann::json typed = {
      {"types", v.at("types")}, {"domain", v.at("domain")}, {"primaryType", "Challenge"}, {"message", v.at("message")}};
  auto refuses = [](const nlohmann::json& j) {
    try {
      MarketLoginRequest::from_json(j);
    } catch (const Error& e) {
      return e.code() == EINVAL;
    }
    return false;
  };
  CHECK_FALSE(refuses(typed));
  auto t = typed;
  t["primaryType"] = "Order";
  CHECK(refuses(t));
  t = typed;
  t["types"]["Challenge"][0]["type"] = "bytes";
  CHECK(refuses(t));
  t = typed;
  t["types"]["Extra"] = nlohmann::json::array();
  CHECK(refuses(t));
  t = typed;
  t["types"]["EIP712Domain"] = {{{"name", "name"}, {"type", "string"}}};
  CHECK(refuses(t));
  t = typed;
  t["domain"]["salt"] = "0x00";
  CHECK(refuses(t));
  t = typed;
  t["domain"]["chainId"] = -1;
  CHECK(refuses(t));
  t = typed;
  t["message"].erase("challenge");
  CHECK(refuses(t));
  CHECK(refuses(nlohmann::json::array()));
}

TEST_CASE("malformed dataset orders are refused naming the field", "[crypto]") {
  auto order = test::load_vectors("eip712.json").at("dataset_orders").at(0).at("order");
  auto message = [](const nlohmann::json& j) -> std::string {
    try {
      DatasetOrder::from_json(j);
    } catch (const Error& e) {
      CHECK(e.code() == EINVAL);
      return e.what();
    }
    return "";
  };
  auto o = order;
  o["volume"] = "ten";
  CHECK(message(o).find("\"volume\"") != std::string::npos);
  o = order;
  o["tag"] = "0x09";
  CHECK(message(o).find("\"tag\"") != std::string::npos);
  o = order;
  o.erase("salt");
  CHECK(message(o).find("\"salt\"") != std::string::npos);
  o = order;
  o["apprestrict"] = "0x2222222222222222222222222222222222222222A";
  CHECK(message(o).find("\"apprestrict\"") != std::string::npos);
  o = order;
  o["datasetprice"] = 1000000000;  // numbers are accepted too
  CHECK(message(o).empty());
}

TEST_CASE("TypedStruct encodes strings, bytes and other words like EIP-712 says", "[crypto]") {
  TypedStruct s("Mail");
  s.string("contents", "hi").bytes("blob", Bytes{1, 2}).word("bool", "flag", Uint256(1).bytes());
  CHECK(s.encode_type() == "Mail(string contents,bytes blob,bool flag)");
  Keccak256 h;
  h.update(keccak256(as_bytes("Mail(string contents,bytes blob,bool flag)")))
      .update(keccak256(as_bytes("hi")))
      .update(keccak256(Bytes{1, 2}))
      .update(Uint256(1).bytes());
  CHECK(s.hash_struct() == h.finish());
}
