// The network contract, run against the iExec implementation talking to the real local peers (see
// iexec_fixture.hpp; skipped without PFS_PEERS_ENV).
#include <catch2/catch.hpp>

#include "contract_network.hpp"
#include "iexec_fixture.hpp"

TEST_CASE("iexec network keeps the content store contract (peers)", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  pfs::test::check_content_store_contract(peers.under_test());
}

TEST_CASE("iexec network keeps the registry contract (peers)", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  pfs::test::check_registry_contract(peers.under_test());
}

TEST_CASE("iexec network keeps the secret store contract (peers)", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  pfs::test::check_secret_store_contract(peers.under_test());
}

TEST_CASE("iexec network keeps the grant book contract (peers)", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  pfs::test::check_grant_book_contract(peers.under_test());
}

TEST_CASE("iexec network keeps the compute contract (peers)", "[network][iexec][peers]") {
  PFS_REQUIRE_PEERS(peers);
  pfs::test::check_compute_contract(peers.under_test());
}
