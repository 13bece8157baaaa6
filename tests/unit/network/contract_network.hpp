// The contract every network implementation must keep (include/protectedfs/network/network.hpp), written against
// the interfaces only: an implementation's test file calls these from its own TEST_CASEs with a way to open it.
// Names and schema keys are unique per run, so the suite also runs against a shared, long-lived network.
#pragma once
#include <functional>
#include <memory>

#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::test {

struct NetworkUnderTest {
  // A new handle on the same network at each call (what another process or a restarted daemon would open).
  std::function<std::unique_ptr<network::Network>()> open;
  // A wallet that may register and push secrets (funded, on a real chain).
  std::function<crypto::PrivateKey()> new_wallet;
};

void check_content_store_contract(const NetworkUnderTest& net);
void check_registry_contract(const NetworkUnderTest& net);
void check_secret_store_contract(const NetworkUnderTest& net);
void check_grant_book_contract(const NetworkUnderTest& net);
// Runs need apps and funds: where register_app or fund is ENOTSUP (apps and RLC come from elsewhere on real
// networks), the run cases are skipped with a warning.
void check_compute_contract(const NetworkUnderTest& net);

}  // namespace pfs::test
