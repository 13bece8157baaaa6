// The transaction sender against a scripted JSON-RPC node: fee type chosen from the chain (EIP-1559 with a base fee,
// legacy EIP-155 without), nonces from the pending count and kept locally, gas with a margin, and every way a
// transaction can go wrong (revert at estimation or once mined, nonce races, no receipt, dropped, wrong chain).
#include <catch2/catch.hpp>
#include <mutex>

#include "http_responder.hpp"
#include "network/iexec/chain.hpp"
#include "network/iexec/tx_sender.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/rlp.hpp"
#include "protectedfs/crypto/transaction.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::network::iexec;
using pfs::test::errno_of;
using Reply = pfs::test::HttpResponder::Reply;
namespace rlp = pfs::crypto::rlp;

namespace {

// A node whose answers are plain data the test changes between calls.
struct ScriptedNode {
  std::mutex mutex;
  uint64_t chain_id = 31337;
  bool base_fee = true;
  uint64_t pending_nonce = 5;
  std::optional<nlohmann::json> estimate_error;
  int nonce_too_low = 0;      // how many sends to refuse with "nonce too low"
  int lose_send_answers = 0;  // how many sends to take and then answer 502 (the answer lost on the way)
  bool mine = true;           // answer receipts
  bool known = true;          // eth_getTransactionByHash finds the transaction
  bool revert_when_mined = false;
  std::vector<Bytes> raw;            // every eth_sendRawTransaction
  std::vector<std::string> methods;  // every call, in order

  Reply answer(const test::HttpResponder::Request& request) {
    std::lock_guard lock(mutex);
    const auto call = nlohmann::json::parse(request.body);
    const std::string method = call["method"];
    methods.push_back(method);
    nlohmann::json out = {{"jsonrpc", "2.0"}, {"id", call["id"]}};
    const auto revert = [](const std::string& reason) {
      return nlohmann::json{
          {"code", 3},
          {"message", "execution reverted: " + reason},
          {"data", to_hex0x(crypto::abi::encode_call("Error(string)", {crypto::abi::Value::string(reason)}))}};
    };
    if (method == "eth_chainId") {
      out["result"] = crypto::Uint256(chain_id).to_hex();
    } else if (method == "eth_estimateGas") {
      if (estimate_error) {
        out["error"] = *estimate_error;
      } else {
        out["result"] = "0x186a0";  // 100000
      }
    } else if (method == "eth_getBlockByNumber") {
      nlohmann::json block = {{"number", "0x10"}, {"timestamp", "0x6553f100"}};
      if (base_fee) block["baseFeePerGas"] = "0x3b9aca00";  // 1 gwei
      out["result"] = block;
    } else if (method == "eth_maxPriorityFeePerGas") {
      out["result"] = "0x5";
    } else if (method == "eth_gasPrice") {
      out["result"] = "0x77359400";  // 2 gwei
    } else if (method == "eth_getTransactionCount") {
      out["result"] = crypto::Uint256(pending_nonce).to_hex();
    } else if (method == "eth_sendRawTransaction") {
      if (nonce_too_low > 0) {
        --nonce_too_low;
        ++pending_nonce;  // someone else used it
        out["error"] = {{"code", -32000}, {"message", "nonce too low"}};
      } else {
        raw.push_back(from_hex(call["params"][0].get<std::string>()));
        out["result"] = to_hex0x(crypto::transaction_hash(raw.back()));
        if (lose_send_answers > 0) {
          --lose_send_answers;
          return Reply{502, "bad gateway"};
        }
      }
    } else if (method == "eth_getTransactionReceipt") {
      if (mine && !raw.empty()) {
        out["result"] = {{"transactionHash", call["params"][0]},
                         {"blockNumber", "0x11"},
                         {"status", revert_when_mined ? "0x0" : "0x1"},
                         {"logs", nlohmann::json::array()}};
      } else {
        out["result"] = nullptr;
      }
    } else if (method == "eth_call") {
      out["error"] = revert("ERC721: transfer caller is not owner nor approved");
    } else if (method == "eth_getTransactionByHash") {
      out["result"] = known ? nlohmann::json{{"hash", call["params"][0]}} : nlohmann::json(nullptr);
    } else {
      out["error"] = {{"code", -32601}, {"message", "no " + method}};
    }
    return Reply{200, out.dump()};
  }
};

struct Harness {
  ScriptedNode node;
  test::HttpResponder server{[this](const test::HttpResponder::Request& r) { return node.answer(r); }};
  std::shared_ptr<Chain> chain =
      std::make_shared<Chain>(std::make_shared<JsonRpc>(std::make_shared<HttpClient>(), server.url()), 0, 0);
  TransactionSender sender{chain, SenderOptions{31337, std::chrono::milliseconds(300), std::chrono::milliseconds(5),
                                                std::chrono::milliseconds(20)}};
  crypto::PrivateKey key = crypto::PrivateKey::generate();
  crypto::Address to{random_array<20>()};
};

const rlp::Item& field(const rlp::Item& list, std::size_t i) { return list.as_list().at(i); }

}  // namespace

TEST_CASE("tx: EIP-1559 when blocks have a base fee: nonce from the pending count, fees and gas with margins",
          "[network][iexec]") {
  Harness h;
  const Bytes data = {0xde, 0xad};
  const Receipt receipt = h.sender.send(h.key, h.to, data);
  CHECK(receipt.success);
  REQUIRE(h.node.raw.size() == 1);
  const Bytes& raw = h.node.raw[0];
  REQUIRE(raw[0] == 0x02);
  const rlp::Item tx = rlp::decode(ByteView(raw).subspan(1));
  CHECK(field(tx, 0).as_uint() == crypto::Uint256(31337));       // chain id
  CHECK(field(tx, 1).as_uint() == crypto::Uint256(5));           // nonce = pending count
  CHECK(field(tx, 2).as_uint() == crypto::Uint256(5));           // priority fee from the node
  CHECK(field(tx, 3).as_uint() == crypto::Uint256(2000000005));  // 2 × base fee + priority
  CHECK(field(tx, 4).as_uint() == crypto::Uint256(135000));      // 100000 + 25% + 10000
  CHECK(field(tx, 5).as_bytes() == Bytes(h.to.bytes().begin(), h.to.bytes().end()));
  CHECK(field(tx, 7).as_bytes() == data);
  CHECK(receipt.transaction_hash == crypto::transaction_hash(raw));

  // The node's pending count lags (load balancing): the local count goes on.
  h.sender.send(h.key, h.to, Bytes{1});
  REQUIRE(h.node.raw.size() == 2);
  CHECK(field(rlp::decode(ByteView(h.node.raw[1]).subspan(1)), 1).as_uint() == crypto::Uint256(6));
}

TEST_CASE("tx: legacy EIP-155 when blocks have no base fee", "[network][iexec]") {
  Harness h;
  h.node.base_fee = false;
  h.sender.send(h.key, h.to, Bytes{});
  REQUIRE(h.node.raw.size() == 1);
  const rlp::Item tx = rlp::decode(h.node.raw[0]);
  REQUIRE(tx.as_list().size() == 9);
  CHECK(field(tx, 0).as_uint() == crypto::Uint256(5));
  CHECK(field(tx, 1).as_uint() == crypto::Uint256(2000000000));  // eth_gasPrice
  const uint64_t v = field(tx, 6).as_uint().to_uint64();
  CHECK((v == 35 + 2 * 31337 || v == 36 + 2 * 31337));
}

TEST_CASE("tx: a revert is a clear error, before sending or once mined", "[network][iexec]") {
  Harness h;
  h.node.estimate_error = nlohmann::json{
      {"code", 3},
      {"message", "execution reverted: iExecV5-matchOrders-0x60"},
      {"data",
       to_hex0x(crypto::abi::encode_call("Error(string)", {crypto::abi::Value::string("iExecV5-matchOrders-0x60")}))}};
  try {
    h.sender.send(h.key, h.to, Bytes{1});
    FAIL("no error");
  } catch (const RpcError& e) {
    CHECK(e.is_revert());
    CHECK(e.code() == EIO);
    CHECK(e.reason() == "iExecV5-matchOrders-0x60");
  }
  CHECK(h.node.raw.empty());  // nothing was sent

  h.node.estimate_error.reset();
  h.node.revert_when_mined = true;
  try {
    h.sender.send(h.key, h.to, Bytes{2});
    FAIL("no error");
  } catch (const RpcError& e) {
    CHECK(e.is_revert());
    CHECK(e.reason() == "ERC721: transfer caller is not owner nor approved");  // replayed with eth_call
    CHECK(std::string(e.what()).find("reverted") != std::string::npos);
  }
}

TEST_CASE("tx: nonce races, missing receipts, dropped transactions, the wrong chain", "[network][iexec]") {
  SECTION("nonce too low: asks the node again and sends with the next nonce") {
    Harness h;
    h.node.nonce_too_low = 1;
    h.sender.send(h.key, h.to, Bytes{1});
    REQUIRE(h.node.raw.size() == 1);
    CHECK(field(rlp::decode(ByteView(h.node.raw[0]).subspan(1)), 1).as_uint() == crypto::Uint256(6));
  }
  SECTION("no receipt in time: EAGAIN; the same send retried waits for the same transaction") {
    Harness h;
    h.node.mine = false;
    CHECK(errno_of([&] { h.sender.send(h.key, h.to, Bytes{1}); }) == EAGAIN);
    CHECK(h.node.raw.size() == 1);
    h.node.mine = true;
    const Receipt receipt = h.sender.send(h.key, h.to, Bytes{1});
    CHECK(h.node.raw.size() == 1);  // not sent twice
    CHECK(receipt.transaction_hash == crypto::transaction_hash(h.node.raw[0]));
  }
  SECTION("the answer to the send is lost: EAGAIN; the retry waits for the transaction the node got") {
    Harness h;
    h.node.lose_send_answers = 1;
    CHECK(errno_of([&] { h.sender.send(h.key, h.to, Bytes{1}); }) == EAGAIN);
    const Receipt receipt = h.sender.send(h.key, h.to, Bytes{1});
    CHECK(h.node.raw.size() == 1);
    CHECK(receipt.transaction_hash == crypto::transaction_hash(h.node.raw[0]));
  }
  SECTION("the send never reached the node: the retry sends it anew") {
    Harness h;
    h.node.lose_send_answers = 1;
    h.node.known = false;  // eth_getTransactionByHash: never heard of it
    CHECK(errno_of([&] { h.sender.send(h.key, h.to, Bytes{1}); }) == EAGAIN);
    CHECK(h.sender.in_flight(h.key.address(), h.to, Bytes{1}));
    h.node.raw.clear();  // as if the first never arrived
    h.sender.send(h.key, h.to, Bytes{1});
    CHECK(h.node.raw.size() == 1);
    CHECK_FALSE(h.sender.in_flight(h.key.address(), h.to, Bytes{1}));
  }
  SECTION("dropped by the node: EAGAIN saying so, and the next send may go again") {
    Harness h;
    h.node.mine = false;
    h.node.known = false;
    try {
      h.sender.send(h.key, h.to, Bytes{1});
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == EAGAIN);
      CHECK(std::string(e.what()).find("dropped") != std::string::npos);
    }
    h.node.mine = true;
    h.sender.send(h.key, h.to, Bytes{1});
    REQUIRE(h.node.raw.size() == 2);
    // Its nonce was released: the resend reuses it.
    CHECK(field(rlp::decode(ByteView(h.node.raw[1]).subspan(1)), 1).as_uint() == crypto::Uint256(5));
  }
  SECTION("a node of another chain: EINVAL before anything is signed") {
    Harness h;
    h.node.chain_id = 1;
    CHECK(errno_of([&] { h.sender.send(h.key, h.to, Bytes{1}); }) == EINVAL);
    CHECK(h.node.raw.empty());
  }
}

TEST_CASE("chain: logs over long ranges are split where the node refuses, and come back in order", "[network][iexec]") {
  std::mutex mutex;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  test::HttpResponder node([&](const test::HttpResponder::Request& request) {
    const auto call = nlohmann::json::parse(request.body);
    nlohmann::json out = {{"jsonrpc", "2.0"}, {"id", call["id"]}};
    if (call["method"] == "eth_blockNumber") {
      out["result"] = "0x3e8";  // 1000
    } else {
      const auto& filter = call["params"][0];
      const uint64_t from = crypto::Uint256::from_hex(filter["fromBlock"].get<std::string>()).to_uint64();
      const uint64_t to = crypto::Uint256::from_hex(filter["toBlock"].get<std::string>()).to_uint64();
      std::lock_guard lock(mutex);
      ranges.emplace_back(from, to);
      if (to - from + 1 > 300) {
        out["error"] = {{"code", -32005}, {"message", "query exceeds max block range 300"}};
      } else {
        nlohmann::json logs = nlohmann::json::array();
        for (uint64_t b = (from + 99) / 100 * 100; b <= to; b += 100)  // one log every 100 blocks, newest first
          logs.insert(logs.begin(), nlohmann::json{{"address", "0x0000000000000000000000000000000000000001"},
                                                   {"topics", nlohmann::json::array()},
                                                   {"data", "0x"},
                                                   {"blockNumber", crypto::Uint256(b).to_hex()},
                                                   {"logIndex", "0x0"},
                                                   {"transactionHash", to_hex0x(random_array<32>())}});
        out["result"] = logs;
      }
    }
    return Reply{200, out.dump()};
  });
  Chain chain(std::make_shared<JsonRpc>(std::make_shared<HttpClient>(), node.url()), 50, 0);
  LogFilter filter;
  filter.addresses = {crypto::Address(random_array<20>())};
  const auto logs = chain.logs_since_start(filter);
  REQUIRE(logs.size() == 10);  // blocks 100, 200, …, 1000
  for (std::size_t i = 0; i < logs.size(); ++i) CHECK(logs[i].block_number == 100 * (i + 1));
  std::lock_guard lock(mutex);
  CHECK(ranges.front() == std::pair<uint64_t, uint64_t>{50, 1000});
  for (const auto& [from, to] : ranges) CHECK(from >= 50);
  CHECK(ranges.back().second == 1000);
}
