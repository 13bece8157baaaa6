#include "network/iexec/contracts.hpp"

#include <algorithm>

#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/keccak.hpp"

namespace pfs::network::iexec::contracts {
namespace {

namespace abi = crypto::abi;
using abi::Value;

// A single dynamic tuple returned by a view function is encoded as (offset, tuple): the tuple's own decoder.
ByteView returned_tuple(ByteView data, const char* what) {
  const uint64_t offset = abi::Decoder(data).uint256(0).to_uint64();
  if (offset > data.size()) throw Error(EINVAL, std::string(what) + ": tuple offset out of range");
  return data.subspan(static_cast<std::size_t>(offset));
}

constexpr const char* kOrderTuple = "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)";

}  // namespace

Hash32 dataset_schema_topic() { return abi::event_topic("DatasetSchema(address,string)"); }
Hash32 orders_matched_topic() {
  return abi::event_topic("OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)");
}
Hash32 closed_dataset_order_topic() { return abi::event_topic("ClosedDatasetOrder(bytes32)"); }

Bytes create_dataset_with_schema(const crypto::Address& owner, const Registration& r) {
  return abi::encode_call("createDatasetWithSchema(address,string,string,bytes,bytes32)",
                          {Value::address(owner), Value::string(r.name), Value::string(r.schema),
                           Value::bytes(r.multiaddr), Value::bytes32(r.checksum)});
}

Bytes is_registered(const crypto::Address& entry) {
  return abi::encode_call("isRegistered(address)", {Value::address(entry)});
}

Bytes owner_of(const crypto::Address& entry) {
  return abi::encode_call("ownerOf(uint256)", {Value::uint256(crypto::Uint256::from_be_bytes(entry.bytes()))});
}

Bytes balance_of(const crypto::Address& owner) {
  return abi::encode_call("balanceOf(address)", {Value::address(owner)});
}

Bytes token_of_owner_by_index(const crypto::Address& owner, uint64_t index) {
  return abi::encode_call("tokenOfOwnerByIndex(address,uint256)", {Value::address(owner), Value::uint256(index)});
}

Bytes safe_transfer_from(const crypto::Address& from, const crypto::Address& to, const crypto::Address& entry) {
  return abi::encode_call(
      "safeTransferFrom(address,address,uint256)",
      {Value::address(from), Value::address(to), Value::uint256(crypto::Uint256::from_be_bytes(entry.bytes()))});
}

Bytes proxy_code_hash() { return abi::encode_call("proxyCodeHash()", {}); }

crypto::Address predict_dataset(const crypto::Address& registry, const Hash32& code_hash, const crypto::Address& owner,
                                const Registration& r) {
  const Bytes initializer =
      abi::encode_call("initialize(string,bytes,bytes32)",
                       {Value::string(r.name), Value::bytes(r.multiaddr), Value::bytes32(r.checksum)});
  const Hash32 salt = crypto::Keccak256().update(initializer).update(owner.bytes()).finish();  // encodePacked
  static constexpr uint8_t kCreate2Prefix[1] = {0xff};
  const Hash32 hash =
      crypto::Keccak256().update(kCreate2Prefix).update(registry.bytes()).update(salt).update(code_hash).finish();
  std::array<uint8_t, 20> address{};
  std::copy(hash.end() - 20, hash.end(), address.begin());
  return crypto::Address(address);
}

Bytes dataset_name() { return abi::encode_call("m_datasetName()", {}); }
Bytes dataset_multiaddr() { return abi::encode_call("m_datasetMultiaddr()", {}); }
Bytes dataset_checksum() { return abi::encode_call("m_datasetChecksum()", {}); }
Bytes app_name() { return abi::encode_call("m_appName()", {}); }
Bytes app_checksum() { return abi::encode_call("m_appChecksum()", {}); }
Bytes owner() { return abi::encode_call("owner()", {}); }

Bytes domain() { return abi::encode_call("domain()", {}); }
Bytes dataset_registry() { return abi::encode_call("datasetregistry()", {}); }
Bytes app_registry() { return abi::encode_call("appregistry()", {}); }
Bytes view_consumed(const Hash32& order_hash) {
  return abi::encode_call("viewConsumed(bytes32)", {Value::bytes32(order_hash)});
}
Bytes view_account(const crypto::Address& account) {
  return abi::encode_call("viewAccount(address)", {Value::address(account)});
}
Bytes view_task(const Hash32& task) { return abi::encode_call("viewTask(bytes32)", {Value::bytes32(task)}); }

Bytes manage_dataset_order_close(const SignedOrder& order) {
  static constexpr uint8_t kClose = 1;  // IexecLibOrders_v5.OrderOperationEnum { SIGN, CLOSE }
  return abi::encode_call(std::string("manageDatasetOrder((") + kOrderTuple + ",uint8,bytes))",
                          {Value::tuple({abi_tuple(order), Value::uint8(kClose), Value::bytes({})})});
}

Bytes match_orders(const SignedAppOrder& app, const SignedOrder& dataset, const SignedWorkerpoolOrder& workerpool,
                   const SignedRequestOrder& request) {
  return abi::encode_call(
      std::string("matchOrders(") + kOrderTuple + "," + kOrderTuple +
          ",(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,bytes32,bytes),"
          "(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,uint256,uint256,address,address,"
          "string,bytes32,bytes))",
      {abi_tuple(app), abi_tuple(dataset), abi_tuple(workerpool), abi_tuple(request)});
}

SignedOrder decode_manage_dataset_order_close(ByteView calldata) {
  const Bytes expected =
      abi::encode_call(std::string("manageDatasetOrder((") + kOrderTuple + ",uint8,bytes))",
                       {Value::tuple({abi_tuple(SignedOrder{}), Value::uint8(1), Value::bytes({})})});
  if (calldata.size() < 4 || !std::equal(calldata.begin(), calldata.begin() + 4, expected.begin()))
    throw Error(EINVAL, "not a manageDatasetOrder call");
  const ByteView operation = returned_tuple(calldata.subspan(4), "manageDatasetOrder");
  if (abi::Decoder(operation).uint256(1) != crypto::Uint256(1)) throw Error(EINVAL, "not a CLOSE operation");
  const abi::Decoder order(returned_tuple(operation, "manageDatasetOrder order"));
  SignedOrder out;
  out.order.dataset = order.address(0);
  out.order.datasetprice = order.uint256(1);
  out.order.volume = order.uint256(2);
  out.order.tag = order.bytes32(3);
  out.order.apprestrict = order.address(4);
  out.order.workerpoolrestrict = order.address(5);
  out.order.requesterrestrict = order.address(6);
  out.order.salt = order.bytes32(7);
  const Bytes sign = order.bytes(8);
  if (sign.size() == out.signature.size()) std::copy(sign.begin(), sign.end(), out.signature.begin());
  return out;
}

MatchedOrders decode_orders_matched(ByteView data) {
  const abi::Decoder d(data);
  const crypto::Uint256 volume = d.uint256(5);
  return {d.bytes32(0), d.bytes32(2), volume.fits_uint64() ? volume.to_uint64() : UINT64_MAX};
}

crypto::Eip712Domain decode_domain(ByteView data) {
  const abi::Decoder tuple(returned_tuple(data, "domain()"));
  crypto::Eip712Domain out;
  out.name = tuple.string(0);
  out.version = tuple.string(1);
  out.chain_id = tuple.uint256(2);
  out.verifying_contract = tuple.address(3);
  return out;
}

crypto::Uint256 decode_account_stake(ByteView data) { return abi::Decoder(data).uint256(0); }

TaskView decode_task(ByteView data) {
  const abi::Decoder tuple(returned_tuple(data, "viewTask()"));
  TaskView out;
  const uint64_t status = tuple.uint256(0).to_uint64();
  if (status > 4) throw Error(EINVAL, "viewTask(): unknown task status " + std::to_string(status));
  out.status = static_cast<TaskStatus>(status);
  out.dealid = tuple.bytes32(1);
  out.final_deadline = tuple.uint256(6).fits_uint64() ? tuple.uint256(6).to_uint64() : UINT64_MAX;
  out.results = tuple.bytes(12);
  return out;
}

std::string task_status_name(TaskStatus status) {
  switch (status) {
    case TaskStatus::unset:
      return "UNSET";
    case TaskStatus::active:
      return "ACTIVE";
    case TaskStatus::revealing:
      return "REVEALING";
    case TaskStatus::completed:
      return "COMPLETED";
    case TaskStatus::failed:
      return "FAILED";
  }
  return "UNKNOWN";
}

Hash32 task_id(const Hash32& dealid, uint64_t index) {
  return crypto::keccak256(abi::encode({Value::bytes32(dealid), Value::uint256(index)}));
}

}  // namespace pfs::network::iexec::contracts
