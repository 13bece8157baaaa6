// Bulk processing's slicing (as the SDK's prepareDatasetBulk) and which orders are bulk.
#include <catch2/catch.hpp>

#include "protectedfs/network/network.hpp"
#include "protectedfs/util/error.hpp"
#include "vectors.hpp"

using namespace pfs;

TEST_CASE("bulk orders: free and of DATASET_INFINITE_VOLUME; sliced in order, at most N each", "[network][bulk]") {
  crypto::DatasetOrder order;
  order.volume = crypto::Uint256(network::kBulkVolume);
  CHECK(network::is_bulk_order(order));
  order.datasetprice = crypto::Uint256(1);
  CHECK_FALSE(network::is_bulk_order(order));
  order.datasetprice = crypto::Uint256(0);
  order.volume = crypto::Uint256(network::kBulkVolume - 1);
  CHECK_FALSE(network::is_bulk_order(order));

  std::vector<network::SignedOrder> orders(5);
  for (std::size_t i = 0; i < orders.size(); ++i) orders[i].hash[0] = static_cast<uint8_t>(i);
  const auto slices = network::slice_bulk_orders(orders, 2);
  REQUIRE(slices.size() == 3);
  CHECK(slices[0].size() == 2);
  CHECK(slices[1].size() == 2);
  REQUIRE(slices[2].size() == 1);
  CHECK(slices[1][1].hash[0] == 3);
  CHECK(slices[2][0].hash[0] == 4);
  CHECK(network::slice_bulk_orders(orders, 100).size() == 1);
  CHECK(test::errno_of([&] { network::slice_bulk_orders(orders, 0); }) == EINVAL);
  CHECK(test::errno_of([&] { network::slice_bulk_orders(orders, 101); }) == EINVAL);
}
