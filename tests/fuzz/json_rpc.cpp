// A node's JSON-RPC answers: the shape check, a single call's result or error object (revert data decoded), a
// batch's answers matched by id, and the event logs of eth_getLogs; and the IPFS API's add answer.
#include <nlohmann/json.hpp>

#include "fuzz.hpp"
#include "network/iexec/chain.hpp"
#include "network/iexec/ipfs_store.hpp"
#include "network/iexec/json_rpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace pfs;
  using namespace pfs::network::iexec;
  if (size == 0) return 0;
  HttpResponse response;
  response.status = data[0] % 2 ? 200 : 500;
  response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  fuzz::refusal_allowed([&] { (void)cid_from_add_answer(response.body); });
  fuzz::refusal_allowed([&] {
    const nlohmann::json answer = parse_rpc_answer(response, "fuzz");
    fuzz::refusal_allowed([&] {
      const nlohmann::json result = rpc_result(answer, "eth_call");
      if (result.is_array())
        for (const auto& log : result) fuzz::refusal_allowed([&] { (void)LogEntry::from_json(log); });
    });
    fuzz::refusal_allowed([&] {
      const std::vector<RpcCall> calls{{"eth_call", {}}, {"eth_getLogs", {}}, {"eth_chainId", {}}};
      std::vector<RpcOutcome> outcomes;
      read_batch_answer(answer, calls, 7, outcomes);
      for (const auto& outcome : outcomes)
        if (outcome.error) (void)outcome.error->reason();
    });
  });
  return 0;
}
