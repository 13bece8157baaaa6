// The iExec network's contract calls and orders, byte for byte: calldata against the reference vectors
// (vectors/abi.json), PoCo 6.1.0's order type hashes (IexecLibOrders_v5 constants), and order hashes, a RequestOrder
// signature, a task id and a CREATE2 prediction computed with ethers 6.17 (TypedDataEncoder.hash, Wallet.signTypedData,
// AbiCoder, getCreate2Address) for the inputs written here.
#include <catch2/catch.hpp>

#include "network/iexec/contracts.hpp"
#include "network/iexec/orders.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::network;
namespace contracts = pfs::network::iexec::contracts;
using crypto::Address;

namespace {

nlohmann::json abi_vectors() { return test::load_vectors("abi.json"); }

crypto::Eip712Domain sepolia_domain() {
  return crypto::poco_domain(421614, Address::parse("0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E"));
}

Hash32 word(uint8_t value) {
  Hash32 out{};
  out[31] = value;
  return out;
}

Hash32 filled(uint8_t value) {
  Hash32 out;
  out.fill(value);
  return out;
}

}  // namespace

TEST_CASE(
    "iexec calls: createDatasetWithSchema, manageDatasetOrder(CLOSE), viewConsumed, safeTransferFrom match the vectors",
    "[network][iexec]") {
  const auto v = abi_vectors();
  const auto& create = v.at("createDatasetWithSchema");
  const auto& args = create.at("args");
  Registration registration{args[1].get<std::string>(), from_hex(args[3].get<std::string>()),
                            from_hex_fixed<32>(args[4].get<std::string>()), args[2].get<std::string>()};
  CHECK(to_hex0x(contracts::create_dataset_with_schema(Address::parse(args[0].get<std::string>()), registration)) ==
        create.at("calldata").get<std::string>());

  const auto& close = v.at("manageDatasetOrder_close");
  SignedOrder order;
  order.order = crypto::DatasetOrder::from_json(close.at("order"));
  order.signature = from_hex_fixed<65>(close.at("order").at("sign").get<std::string>());
  const Bytes calldata = contracts::manage_dataset_order_close(order);
  CHECK(to_hex0x(calldata) == close.at("calldata").get<std::string>());
  // And back: a closing transaction's input gives the whole order (how a never-published closed order is read).
  const SignedOrder decoded = contracts::decode_manage_dataset_order_close(calldata);
  CHECK(decoded.order.to_json() == order.order.to_json());
  CHECK(decoded.signature == order.signature);
  CHECK(test::errno_of([&] { contracts::decode_manage_dataset_order_close(contracts::view_consumed({})); }) == EINVAL);

  const auto& consumed = v.at("viewConsumed");
  CHECK(to_hex0x(contracts::view_consumed(from_hex_fixed<32>(consumed.at("arg").get<std::string>()))) ==
        consumed.at("calldata").get<std::string>());

  const auto& transfer = v.at("safeTransferFrom");
  const auto token = crypto::Uint256::from_decimal(transfer.at("args")[2].get<std::string>());
  std::array<uint8_t, 20> dataset{};
  std::copy(token.bytes().end() - 20, token.bytes().end(), dataset.begin());
  CHECK(to_hex0x(contracts::safe_transfer_from(Address::parse(transfer.at("args")[0].get<std::string>()),
                                               Address::parse(transfer.at("args")[1].get<std::string>()),
                                               Address(dataset))) == transfer.at("calldata").get<std::string>());
}

TEST_CASE("iexec calls: getters, domain() and event topics match the vectors", "[network][iexec]") {
  const auto v = abi_vectors();
  const auto& getters = v.at("dataset_getters");
  CHECK(to_hex0x(contracts::dataset_name()) == getters.at("m_datasetName").get<std::string>());
  CHECK(to_hex0x(contracts::dataset_multiaddr()) == getters.at("m_datasetMultiaddr").get<std::string>());
  CHECK(to_hex0x(contracts::dataset_checksum()) == getters.at("m_datasetChecksum").get<std::string>());
  CHECK(to_hex0x(contracts::owner()) == getters.at("owner").get<std::string>());
  CHECK(to_hex0x(contracts::domain()) == v.at("domain_selector").get<std::string>());
  CHECK(to_hex0x(contracts::dataset_schema_topic()) == v.at("DatasetSchema_event").at("topic0").get<std::string>());
  CHECK(to_hex0x(contracts::closed_dataset_order_topic()) == v.at("ClosedDatasetOrder_topic0").get<std::string>());
}

TEST_CASE("iexec orders: PoCo's type hashes, and hashes and a signature as ethers makes them", "[network][iexec]") {
  // IexecLibOrders_v5 (PoCo 6.1.0) constants.
  CHECK(to_hex0x(iexec::AppOrder().to_struct().type_hash()) ==
        "0x60815a0eeec47dddf1615fe53b31d016c31444e01b9d796db365443a6445d008");
  CHECK(to_hex0x(crypto::DatasetOrder::type_hash()) ==
        "0x6cfc932a5a3d22c4359295b9f433edff52b60703fa47690a04a83e40933dd47c");
  CHECK(to_hex0x(iexec::WorkerpoolOrder().to_struct().type_hash()) ==
        "0xaa3429fb281b34691803133d3d978a75bb77c617ed6bc9aa162b9b30920022bb");
  CHECK(to_hex0x(iexec::RequestOrder().to_struct().type_hash()) ==
        "0xf24e853034a3a450aba845a82914fbb564ad85accca6cf62be112a154520fae0");

  const auto domain = sepolia_domain();
  const auto key = crypto::PrivateKey::from_hex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  iexec::RequestOrder request;
  request.app = Address::parse("0x1111111111111111111111111111111111111111");
  request.appmaxprice = 5;
  request.dataset = Address::parse("0x2222222222222222222222222222222222222222");
  request.datasetmaxprice = 7;
  request.workerpool = Address::parse("0x3333333333333333333333333333333333333333");
  request.workerpoolmaxprice = 11;
  request.requester = key.address();
  request.volume = 1;
  request.tag = word(0x09);
  request.category = 2;
  request.beneficiary = key.address();
  request.params = iexec::request_params("--hello world");
  request.salt = filled(0x44);
  CHECK(request.params == R"({"iexec_args":"--hello world"})");
  CHECK(key.address().to_string() == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  CHECK(to_hex0x(crypto::typed_data_hash(domain, request)) ==
        "0x09e4115bed37542a0ea5e70fc5162c4e50b5f384e370f18cb66a21642839d313");
  CHECK(
      to_hex0x(crypto::sign_typed_data(key, domain, request)) ==
      "0xcc73eca61da31f8569d407e93504833f5944b5608a86a84d3c83ddd1a089ac0263c14b10646a95abac67d0e7730f1dcc2ec3fe560cf6d"
      "7b67bd906379240cf8d1b");

  const iexec::AppOrder app{request.app, 5, 1000, word(0x01), {}, {}, {}, filled(0x55)};
  CHECK(to_hex0x(crypto::typed_data_hash(domain, app)) ==
        "0xebee2f6c24a5c6935c6a961ae76b0dc2670c74fa28c907909d1701f34f69b280");
  const iexec::WorkerpoolOrder pool{request.workerpool, 11, 100, word(0x09), 2, 0, {}, {}, {}, filled(0x66)};
  CHECK(to_hex0x(crypto::typed_data_hash(domain, pool)) ==
        "0xa2c5a0a649519a1e5fca03432e24d2703ad6e279523c2af0e35a7e05028c51e0");

  // The market's JSON comes back to the same order.
  CHECK(to_hex0x(crypto::typed_data_hash(domain, iexec::AppOrder::from_json(app.to_json()))) ==
        to_hex0x(crypto::typed_data_hash(domain, app)));
  CHECK(to_hex0x(crypto::typed_data_hash(domain, iexec::WorkerpoolOrder::from_json(pool.to_json()))) ==
        to_hex0x(crypto::typed_data_hash(domain, pool)));
  auto bad = app.to_json();
  bad["appprice"] = "-1";
  CHECK(test::errno_of([&] { iexec::AppOrder::from_json(bad); }) == EINVAL);
  CHECK(test::errno_of([&] { iexec::WorkerpoolOrder::from_json(nlohmann::json::object()); }) == EINVAL);

  CHECK(to_hex0x(iexec::tag_union(word(0x01), word(0x08))) == to_hex0x(word(0x09)));
}

TEST_CASE("iexec: task ids, CREATE2 predictions, matchOrders' selector", "[network][iexec]") {
  CHECK(to_hex0x(contracts::task_id(filled(0x77), 0)) ==
        "0x8913dbb846f83650aa483a3a1bc6b3de05ea1a50c8d4aa8c97eacfa1253a6739");
  const Registration registration{
      "my data", from_hex("0xa5032212206ad7a962e4ceb7547959f4ad3c064c4652d8f540ae7ff057c09a76274a1a8cf8"), filled(0x44),
      "{}"};
  CHECK(contracts::predict_dataset(Address::parse("0x07Cc4E1EA30dD02796795876509A3BfC5053128D"), filled(0x88),
                                   Address::parse("0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1"), registration)
            .to_string() == "0x77cC85f7d26f1B8d754901b8EC8723A3287542AA");
  // The schema is not part of the address (only name, multiaddr, checksum and owner are).
  Registration other_schema = registration;
  other_schema.schema = R"({"a":"bool"})";
  CHECK(contracts::predict_dataset(Address(), filled(0x88), Address(), registration) ==
        contracts::predict_dataset(Address(), filled(0x88), Address(), other_schema));

  const Bytes match = contracts::match_orders({}, {}, {}, {});
  CHECK(to_hex0x(ByteView(match).first(4)) ==
        to_hex0x(crypto::abi::selector(
            "matchOrders((address,uint256,uint256,bytes32,address,address,address,bytes32,bytes),(address,uint256,"
            "uint256,bytes32,address,address,address,bytes32,bytes),(address,uint256,uint256,bytes32,uint256,uint256,"
            "address,address,address,bytes32,bytes),(address,uint256,address,uint256,address,uint256,address,uint256,"
            "bytes32,uint256,uint256,address,address,string,bytes32,bytes))")));
}

TEST_CASE("iexec answers: domain(), viewTask and OrdersMatched decode, malformed answers are EINVAL",
          "[network][iexec]") {
  namespace abi = crypto::abi;
  const Address hub = Address::parse("0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E");
  const Bytes domain = abi::encode({abi::Value::tuple({abi::Value::string("iExecODB"), abi::Value::string("5.0.0"),
                                                       abi::Value::uint256(421614), abi::Value::address(hub)})});
  const auto decoded = contracts::decode_domain(domain);
  CHECK(decoded.name == "iExecODB");
  CHECK(decoded.version == "5.0.0");
  CHECK(decoded.chain_id == crypto::Uint256(421614));
  CHECK(decoded.verifying_contract == hub);
  CHECK(decoded.separator() == crypto::poco_domain(421614, hub).separator());
  CHECK(test::errno_of([&] { contracts::decode_domain(Bytes(31, 0)); }) == EINVAL);

  const std::string results = R"({"storage":"ipfs","location":"/ipfs/QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"})";
  auto task = [&](uint8_t status) {
    std::vector<abi::Value> members = {abi::Value::uint8(status), abi::Value::bytes32(filled(0x77))};
    for (int i = 0; i < 5; ++i) members.push_back(abi::Value::uint256(i));
    members.push_back(abi::Value::bytes32(filled(0x01)));
    members.push_back(abi::Value::uint256(1));
    members.push_back(abi::Value::uint256(1));
    members.push_back(abi::Value::bytes({}));  // contributors (an empty address[] encodes like empty bytes)
    members.push_back(abi::Value::bytes32(filled(0x02)));
    members.push_back(abi::Value::bytes(as_bytes(results)));
    members.push_back(abi::Value::uint256(9));
    members.push_back(abi::Value::bytes({}));
    return abi::encode({abi::Value::tuple(std::move(members))});
  };
  const auto view = contracts::decode_task(task(3));
  CHECK(view.status == contracts::TaskStatus::completed);
  CHECK(view.dealid == filled(0x77));
  CHECK(std::string(as_chars(view.results)) == results);
  CHECK(contracts::task_status_name(view.status) == "COMPLETED");
  CHECK(test::errno_of([&] { contracts::decode_task(task(5)); }) == EINVAL);

  Bytes matched =
      abi::encode({abi::Value::bytes32(filled(0x77)), abi::Value::bytes32(filled(1)), abi::Value::bytes32(filled(2)),
                   abi::Value::bytes32(filled(3)), abi::Value::bytes32(filled(4)), abi::Value::uint256(1)});
  const auto m = contracts::decode_orders_matched(matched);
  CHECK(m.deal == filled(0x77));
  CHECK(m.dataset_order == filled(2));
  CHECK(m.volume == 1);
  CHECK(to_hex0x(contracts::orders_matched_topic()) ==
        to_hex0x(crypto::abi::event_topic("OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)")));
}
