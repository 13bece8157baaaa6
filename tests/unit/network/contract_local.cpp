// The network contract, run against the embedded local network.
#include <catch2/catch.hpp>

#include "contract_network.hpp"
#include "local_fixture.hpp"

using pfs::test::LocalNetworkDir;

TEST_CASE("local network keeps the content store contract", "[network]") {
  LocalNetworkDir dir;
  pfs::test::check_content_store_contract(dir.under_test());
}

TEST_CASE("local network keeps the registry contract", "[network]") {
  LocalNetworkDir dir;
  pfs::test::check_registry_contract(dir.under_test());
}

TEST_CASE("local network keeps the secret store contract", "[network]") {
  LocalNetworkDir dir;
  pfs::test::check_secret_store_contract(dir.under_test());
}

TEST_CASE("local network keeps the grant book contract", "[network]") {
  LocalNetworkDir dir;
  pfs::test::check_grant_book_contract(dir.under_test());
}

TEST_CASE("local network keeps the compute contract", "[network]") {
  LocalNetworkDir dir;
  pfs::test::check_compute_contract(dir.under_test());
}
