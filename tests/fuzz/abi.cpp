// ABI decoding of what a node returns: the generic slot reader, revert reasons, and the hub's answers and events
// that protectedfs decodes (domain, viewTask, OrdersMatched, manageDatasetOrder calldata, viewAccount).
#include "protectedfs/crypto/abi.hpp"
#include "fuzz.hpp"
#include "network/iexec/contracts.hpp"
#include "network/iexec/json_rpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace pfs;
  namespace contracts = network::iexec::contracts;
  const ByteView bytes(data, size);
  const crypto::abi::Decoder decoder(bytes);
  for (std::size_t slot = 0; slot < 4; ++slot) {
    fuzz::refusal_allowed([&] { (void)decoder.word(slot); });
    fuzz::refusal_allowed([&] { (void)decoder.address(slot); });
    fuzz::refusal_allowed([&] { (void)decoder.boolean(slot); });
    fuzz::refusal_allowed([&] { (void)decoder.bytes(slot); });
    fuzz::refusal_allowed([&] { (void)decoder.string(slot); });
  }
  if (size >= 32) {
    Hash32 word{};
    std::copy(data, data + 32, word.begin());
    fuzz::refusal_allowed([&] { (void)crypto::abi::address_from_word(word); });
  }
  fuzz::refusal_allowed([&] { (void)network::iexec::decode_revert_reason(bytes); });
  fuzz::refusal_allowed([&] { (void)contracts::decode_domain(bytes); });
  fuzz::refusal_allowed([&] { (void)contracts::decode_task(bytes); });
  fuzz::refusal_allowed([&] { (void)contracts::decode_orders_matched(bytes); });
  fuzz::refusal_allowed([&] { (void)contracts::decode_account_stake(bytes); });
  fuzz::refusal_allowed([&] { (void)contracts::decode_manage_dataset_order_close(bytes); });
  return 0;
}
