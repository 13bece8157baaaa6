// What several [peers] tests do on the local peers besides using the network under test: the free app and
// workerpool orders a run is matched with, and the .mjs checks beside them (iExec's own code) run with node.
#pragma once
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "iexec_fixture.hpp"
#include "network/iexec/context.hpp"
#include "network/iexec/market_client.hpp"
#include "network/iexec/orders.hpp"

namespace pfs::test {

// The tag of the grants on the peers (TEE + TDX, PROTOCOL.md §4).
inline Hash32 tag_09() {
  Hash32 tag{};
  tag[31] = 0x09;
  return tag;
}

struct FreeOffers {
  network::iexec::SignedAppOrder app;
  network::iexec::SignedWorkerpoolOrder workerpool;
};

// The peers' app and workerpool offered for free on the market by their owners (nobody does on a fresh chain).
inline FreeOffers offer_free_app_and_workerpool(const IexecPeers& peers,
                                                const std::shared_ptr<network::iexec::Context>& context) {
  namespace iexec = network::iexec;
  iexec::MarketClient market(context);
  FreeOffers out;
  const auto app_owner = peers.key("APP_OWNER");
  out.app.order = iexec::AppOrder{peers.address("PFS_APP"), 0, 1000000, tag_09(), {}, {}, {}, random_array<32>()};
  const auto app_sign = crypto::sign_typed_data(app_owner, context->domain(), out.app.order);
  out.app.sign.assign(app_sign.begin(), app_sign.end());
  nlohmann::json app_json = out.app.order.to_json();
  app_json["sign"] = to_hex0x(out.app.sign);
  market.publish("apporders", market.login(app_owner), app_json);

  const auto pool_owner = peers.key("WORKERPOOL_OWNER");
  out.workerpool.order = iexec::WorkerpoolOrder{
      peers.address("PFS_WORKERPOOL"), 0, 1000000, tag_09(), 0, 0, {}, {}, {}, random_array<32>()};
  const auto pool_sign = crypto::sign_typed_data(pool_owner, context->domain(), out.workerpool.order);
  out.workerpool.sign.assign(pool_sign.begin(), pool_sign.end());
  nlohmann::json pool_json = out.workerpool.order.to_json();
  pool_json["sign"] = to_hex0x(out.workerpool.sign);
  market.publish("workerpoolorders", market.login(pool_owner), pool_json);
  return out;
}

// `node tests/unit/network/SCRIPT PEERS_ENV ARGS`: the last JSON object it printed (it must exit 0).
inline nlohmann::json run_peers_script(const IexecPeers& peers, const std::string& script, const std::string& args) {
  const std::string command = "node '" + std::string(PFS_VECTOR_DIR) + "/../unit/network/" + script + "' '" +
                              peers.get("PFS_PEERS_DIR") + "/peers.env' " + args;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  INFO(command << "\n" << output);
  REQUIRE(status == 0);
  const auto line = output.rfind("\n{");
  return nlohmann::json::parse(output.substr(line == std::string::npos ? 0 : line + 1));
}

}  // namespace pfs::test
