// The iExec network's HTTP layers against scripted local peers (tests/unit/network/http_responder.hpp): faults
// (refused, 5xx, silence) become EAGAIN quickly, refusals keep their errno, JSON-RPC errors are classified, uploads
// stream as multipart with chunked transfer in bounded memory, the SMS's answers map to errnos.
#include <catch2/catch.hpp>
#include <chrono>

#include "http_responder.hpp"
#include "network/iexec/byte_pipe.hpp"
#include "network/iexec/http_client.hpp"
#include "network/iexec/ipfs_store.hpp"
#include "network/iexec/json_rpc.hpp"
#include "network/iexec/multipart.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/sms_challenge.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/network/iexec_network.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::network;
using pfs::test::errno_of;
using Reply = pfs::test::HttpResponder::Reply;
using Request = pfs::test::HttpResponder::Request;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A profile whose every endpoint is `url`.
Profile profile_at(const std::string& url) {
  Profile p;
  p.name = "scripted";
  p.chain_id = 31337;
  p.rpc = p.ipfs_api = p.ipfs_gateway = p.sms = p.market = url;
  p.hub = crypto::Address(random_array<20>());
  p.dataset_registry = crypto::Address(random_array<20>());
  p.dataprotector = crypto::Address(random_array<20>());
  p.order_tag[31] = 0x09;
  p.request_timeout = std::chrono::seconds(5);
  return p;
}

Registration some_registration() {
  return Registration{"doc", format::multiaddr_p2p(random_array<32>()), random_array<32>(), R"({"a":"bool"})"};
}

// Every way the whole network can be asked something, for fault tests.
std::vector<std::pair<std::string, std::function<void(Network&)>>> every_service() {
  auto key = std::make_shared<crypto::PrivateKey>(crypto::PrivateKey::generate());
  const crypto::Address dataset(random_array<20>());
  const std::string cid = format::CidBuilder::of(as_bytes("x")).cid;
  return {
      {"storage.upload",
       [](Network& n) {
         auto upload = n.storage->begin_upload();
         upload->write(as_bytes("some bytes"));
         upload->commit();
       }},
      {"storage.has", [cid](Network& n) { n.storage->has(cid); }},
      {"registry.find", [dataset](Network& n) { n.registry->find(dataset); }},
      {"registry.register", [key](Network& n) { n.registry->register_dataset(*key, some_registration()); }},
      {"registry.list", [key](Network& n) { n.registry->list_by_owner(key->address()); }},
      {"secrets.exists", [dataset](Network& n) { n.secrets->exists(dataset); }},
      {"secrets.push", [key, dataset](Network& n) { n.secrets->push(*key, dataset, "k"); }},
      {"grants.open_orders", [dataset](Network& n) { n.grants->open_orders(dataset); }},
      {"grants.order", [](Network& n) { n.grants->order(random_array<32>()); }},
      {"compute.balance", [key](Network& n) { n.compute->balance(key->address()); }},
  };
}

}  // namespace

TEST_CASE("http: a peer that is not there is EAGAIN at once, for every service", "[network][iexec]") {
  const std::string url = "http://127.0.0.1:" + std::to_string(test::HttpResponder::closed_port());
  auto net = open_iexec_network(profile_at(url));
  for (const auto& [name, call] : every_service()) {
    INFO(name);
    const auto start = std::chrono::steady_clock::now();
    CHECK(errno_of([&] { call(*net); }) == EAGAIN);
    CHECK(seconds_since(start) < 1.0);
  }
}

TEST_CASE("http: HTTP 500 / 503 / 429 from any peer is EAGAIN", "[network][iexec]") {
  for (int status : {500, 502, 503, 429}) {
    test::HttpResponder peer([&](const Request&) { return Reply{status, "try later"}; });
    auto net = open_iexec_network(profile_at(peer.url()));
    for (const auto& [name, call] : every_service()) {
      INFO(name << " with HTTP " << status);
      CHECK(errno_of([&] { call(*net); }) == EAGAIN);
    }
  }
}

TEST_CASE("http: a peer that does not answer in time is EAGAIN after the request timeout", "[network][iexec]") {
  test::HttpResponder silent([](const Request&) { return Reply{200, "{}", {}, std::chrono::milliseconds(3000)}; });
  iexec::HttpClient http(iexec::HttpOptions{std::chrono::milliseconds(1000), std::chrono::milliseconds(300)});
  const auto start = std::chrono::steady_clock::now();
  iexec::HttpRequest request;
  request.url = silent.url() + "/slow";
  CHECK(errno_of([&] { http.send(request); }) == EAGAIN);
  CHECK(seconds_since(start) < 2.0);

  test::HttpResponder hang_up([](const Request&) { return Reply{200, "", {}, {}, true}; });
  request.url = hang_up.url();
  CHECK(errno_of([&] { http.send(request); }) == EAGAIN);
}

TEST_CASE("http: statuses map to errnos, URLs are joined and encoded", "[network][iexec]") {
  CHECK(iexec::errno_for_status(200) == 0);
  CHECK(iexec::errno_for_status(204) == 0);
  CHECK(iexec::errno_for_status(400) == EINVAL);
  CHECK(iexec::errno_for_status(401) == EACCES);
  CHECK(iexec::errno_for_status(403) == EACCES);
  CHECK(iexec::errno_for_status(404) == ENOENT);
  CHECK(iexec::errno_for_status(409) == EEXIST);
  CHECK(iexec::errno_for_status(413) == EINVAL);
  CHECK(iexec::errno_for_status(408) == EAGAIN);
  CHECK(iexec::errno_for_status(429) == EAGAIN);
  CHECK(iexec::errno_for_status(500) == EAGAIN);
  CHECK(iexec::errno_for_status(504) == EAGAIN);
  CHECK(iexec::errno_for_status(302) == EIO);
  CHECK(iexec::join_url("http://h:1/", "/a") == "http://h:1/a");
  CHECK(iexec::join_url("http://h:1", "a") == "http://h:1/a");
  CHECK(iexec::url_encode("0xAb/ c&d=é") == "0xAb%2F%20c%26d%3D%C3%A9");
  CHECK(test::errno_of([] { iexec::HttpClient().send({"GET", "nope://x"}); }) == EINVAL);
}

TEST_CASE("json-rpc: node errors are classified, a revert carries its decoded reason", "[network][iexec]") {
  namespace abi = crypto::abi;
  const Bytes reason = abi::encode_call("Error(string)", {abi::Value::string("Create2: Failed on deploy")});
  test::HttpResponder node([&](const Request& request) {
    const auto call = nlohmann::json::parse(request.body);
    auto answer = [&](const nlohmann::json& body) {
      nlohmann::json out = body;
      out["jsonrpc"] = "2.0";
      out["id"] = call["id"];
      return Reply{200, out.dump()};
    };
    const std::string method = call["method"];
    if (method == "revert")
      return answer(
          {{"error",
            {{"code", 3}, {"message", "execution reverted: Create2: Failed on deploy"}, {"data", to_hex0x(reason)}}}});
    if (method == "panic")
      return answer({{"error",
                      {{"code", 3},
                       {"message", "execution reverted"},
                       {"data", to_hex0x(abi::encode_call("Panic(uint256)", {abi::Value::uint256(0x11)}))}}}});
    if (method == "poor")
      return answer({{"error", {{"code", -32000}, {"message", "insufficient funds for gas * price + value"}}}});
    if (method == "range")
      return answer({{"error", {{"code", -32005}, {"message", "query returned more than 10000 results"}}}});
    if (method == "unknown")
      return answer({{"error", {{"code", -32601}, {"message", "the method unknown does not exist"}}}});
    if (method == "http400")
      return Reply{400, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"bad params"}})"};
    if (method == "garbage") return Reply{200, "<html>hello</html>"};
    return answer({{"result", method}});
  });
  iexec::JsonRpc rpc(std::make_shared<iexec::HttpClient>(), node.url());
  CHECK(rpc.call("echo", nlohmann::json::array()) == "echo");
  try {
    rpc.call("revert", nlohmann::json::array());
    FAIL("no error");
  } catch (const iexec::RpcError& e) {
    CHECK(e.is_revert());
    CHECK(e.code() == EIO);
    CHECK(e.reason() == "Create2: Failed on deploy");
  }
  try {
    rpc.call("panic", nlohmann::json::array());
    FAIL("no error");
  } catch (const iexec::RpcError& e) {
    CHECK(e.reason() == "panic 0x11");
  }
  CHECK(errno_of([&] { rpc.call("poor", nlohmann::json::array()); }) == EDQUOT);
  CHECK(errno_of([&] { rpc.call("range", nlohmann::json::array()); }) == ERANGE);
  CHECK(errno_of([&] { rpc.call("unknown", nlohmann::json::array()); }) == ENOTSUP);
  CHECK(errno_of([&] { rpc.call("http400", nlohmann::json::array()); }) == EINVAL);
  CHECK(errno_of([&] { rpc.call("garbage", nlohmann::json::array()); }) == EIO);
  CHECK(iexec::decode_revert_reason({}) == "reverted without a reason");
  CHECK(iexec::decode_revert_reason(
            abi::encode_call("IncompatibleDatasetOrder(string)", {abi::Value::string("Deal not found")}))
            .ends_with(": Deal not found"));
}

TEST_CASE("json-rpc: a batch is answered in order whatever order the node answers in, with per-call errors",
          "[network][iexec]") {
  int batches = 0;
  test::HttpResponder node([&](const Request& request) {
    const auto calls = nlohmann::json::parse(request.body);
    REQUIRE(calls.is_array());
    ++batches;
    nlohmann::json answers = nlohmann::json::array();
    for (auto it = calls.rbegin(); it != calls.rend(); ++it) {  // reversed on purpose
      const std::string method = (*it)["method"];
      if (method == "fail") {
        answers.push_back(
            {{"jsonrpc", "2.0"}, {"id", (*it)["id"]}, {"error", {{"code", 3}, {"message", "execution reverted"}}}});
      } else {
        answers.push_back({{"jsonrpc", "2.0"}, {"id", (*it)["id"]}, {"result", (*it)["params"][0]}});
      }
    }
    return Reply{200, answers.dump()};
  });
  iexec::JsonRpc rpc(std::make_shared<iexec::HttpClient>(), node.url());
  std::vector<iexec::RpcCall> calls;
  for (int i = 0; i < 120; ++i) calls.push_back({i == 7 ? "fail" : "echo", nlohmann::json::array({i})});
  const auto answers = rpc.batch(calls);
  REQUIRE(answers.size() == 120);
  for (int i = 0; i < 120; ++i) {
    INFO(i);
    if (i == 7) {
      REQUIRE(answers[i].error);
      CHECK(answers[i].error->is_revert());
    } else {
      CHECK(answers[i].value() == i);
    }
  }
  CHECK(batches == 3);  // 50 + 50 + 20
}

TEST_CASE("multipart: the framing of one file part", "[network][iexec]") {
  const iexec::MultipartFile frame{"B0UNDARY"};
  CHECK(frame.content_type_header() == "Content-Type: multipart/form-data; boundary=B0UNDARY");
  CHECK(frame.head() ==
        "--B0UNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n");
  CHECK(frame.tail() == "\r\n--B0UNDARY--\r\n");
  CHECK(iexec::MultipartFile::with_random_boundary().boundary != iexec::MultipartFile::with_random_boundary().boundary);
}

TEST_CASE("byte pipe: bounded, ordered, and a stopped consumer fails the producer instead of blocking it",
          "[network][iexec]") {
  iexec::BytePipe pipe(1000);
  Bytes sent(100000);
  random_fill(sent);
  Bytes received;
  std::thread reader([&] {
    char buffer[333];
    while (auto n = pipe.read(buffer)) {
      if (*n == 0) break;
      received.insert(received.end(), buffer, buffer + *n);
    }
  });
  for (std::size_t at = 0; at < sent.size(); at += 7777)
    pipe.write(ByteView(sent).subspan(at, std::min<std::size_t>(7777, sent.size() - at)));
  pipe.close();
  reader.join();
  CHECK(received == sent);

  iexec::BytePipe stopped(10);
  stopped.stop_consumer(EAGAIN, "the node went away");
  CHECK(errno_of([&] { stopped.write(Bytes(100, 1)); }) == EAGAIN);
  iexec::BytePipe cancelled(10);
  cancelled.cancel();
  CHECK(errno_of([&] { cancelled.write(Bytes(100, 1)); }) == ECANCELED);
  char c;
  CHECK_FALSE(cancelled.read(std::span(&c, 1)));
}

TEST_CASE("ipfs: an upload is one multipart part, streamed with chunked transfer, answered by its CID",
          "[network][iexec]") {
  std::mutex mutex;
  Request seen;
  test::HttpResponder node([&](const Request& request) {
    if (request.target.starts_with("/api/v0/add")) {
      std::lock_guard lock(mutex);
      seen = request;
      const std::string boundary =
          request.headers.at("content-type").substr(request.headers.at("content-type").find("boundary=") + 9);
      const iexec::MultipartFile frame{boundary};
      const std::string& body = request.body;
      if (!body.starts_with(frame.head()) || !body.ends_with(frame.tail())) return Reply{400, "bad multipart"};
      const std::string payload =
          body.substr(frame.head().size(), body.size() - frame.head().size() - frame.tail().size());
      const auto cid = format::CidBuilder::of(as_bytes(payload));
      return Reply{200, R"({"Name":"file","Hash":")" + cid.cid + R"(","Size":")" + std::to_string(cid.cumulative_size) +
                            "\"}\n"};
    }
    return Reply{404, ""};
  });
  auto net = open_iexec_network(profile_at(node.url()));
  Bytes bytes(20 << 20);
  random_fill(bytes);
  auto upload = net->storage->begin_upload();
  for (std::size_t at = 0; at < bytes.size(); at += 65536) upload->write(ByteView(bytes).subspan(at, 65536));
  CHECK(upload->commit() == format::CidBuilder::of(bytes).cid);
  std::lock_guard lock(mutex);
  CHECK(seen.method == "POST");
  CHECK(seen.chunked);
  CHECK(seen.target.find("cid-version=0") != std::string::npos);
  CHECK(seen.target.find("pin=true") != std::string::npos);
  CHECK(seen.body.size() > bytes.size());
}

TEST_CASE("ipfs: a refused, broken or cancelled upload", "[network][iexec]") {
  int status = 200;
  std::string answer;
  test::HttpResponder node([&](const Request&) { return Reply{status, answer}; });
  auto net = open_iexec_network(profile_at(node.url()));
  auto commit = [&] {
    auto upload = net->storage->begin_upload();
    upload->write(as_bytes("hello"));
    return upload->commit();
  };
  status = 200;
  answer = R"({"Name":"file","Size":"5"})";
  CHECK(errno_of(commit) == EIO);  // no Hash
  answer = R"({"Name":"file","Hash":"bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"})";
  CHECK(errno_of(commit) == EIO);  // not a CIDv0
  status = 413;
  CHECK(errno_of(commit) == EINVAL);
  {
    auto upload = net->storage->begin_upload();  // destroyed mid-way: the transfer is abandoned, nothing thrown
    upload->write(Bytes(1 << 20, 7));
  }
  CHECK(iexec::cid_from_add_answer(
            "{\"Name\":\"a\",\"Hash\":\"QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH\",\"Size\":6}\n") ==
        "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
}

TEST_CASE("sms: the push is signed as the SMS checks it, its answers map to errnos", "[network][iexec]") {
  const auto owner = crypto::PrivateKey::generate();
  const crypto::Address dataset(random_array<20>());
  int status = 204;
  Request seen;
  test::HttpResponder sms([&](const Request& request) {
    seen = request;
    if (request.method == "HEAD") return Reply{status == 204 ? 204 : 404, ""};
    return Reply{status, ""};
  });
  auto net = open_iexec_network(profile_at(sms.url()));
  net->secrets->push(owner, dataset, "c2VjcmV0");
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/secrets/web3?secretAddress=" + dataset.to_string());
  CHECK(seen.headers["content-type"] == "text/plain");
  CHECK(seen.body == "c2VjcmV0");
  CHECK(crypto::sms_authorization_signer(seen.headers["authorization"], dataset, seen.body) == owner.address());
  CHECK(net->secrets->exists(dataset));
  for (auto [answer, expected] :
       std::vector<std::pair<int, int>>{{401, EACCES}, {409, EEXIST}, {413, EINVAL}, {500, EAGAIN}}) {
    status = answer;
    INFO(answer);
    CHECK(errno_of([&] { net->secrets->push(owner, dataset, "c2VjcmV0"); }) == expected);
  }
  status = 404;
  CHECK_FALSE(net->secrets->exists(dataset));
  const int requests = sms.requests();
  CHECK(errno_of([&] { net->secrets->push(owner, dataset, std::string(4097, 'k')); }) == EINVAL);
  CHECK(sms.requests() == requests);  // refused before anything is sent
}
