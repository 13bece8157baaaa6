// Bulk processing's slicing (as the SDK's prepareDatasetBulk) and which orders are bulk.
#include <catch2/catch.hpp>

#include "protectedfs/format/cid.hpp"
#include "protectedfs/network/bulk_slices.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/error.hpp"
#include "vectors.hpp"

using namespace pfs;

TEST_CASE("bulk orders: free and of DATASET_INFINITE_VOLUME, sliced in order, at most N each", "[network][bulk]") {
  crypto::DatasetOrder order;
  order.volume = crypto::Uint256(network::kBulkVolume);
  CHECK(network::is_bulk_order(order));
  order.datasetprice = crypto::Uint256(1);
  CHECK_FALSE(network::is_bulk_order(order));
  order.datasetprice = crypto::Uint256(0);
  order.volume = crypto::Uint256(network::kBulkVolume - 1);  // accepted by the SDK for older orders
  CHECK(network::is_bulk_order(order));
  order.volume = crypto::Uint256(network::kBulkVolume - 2);
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

// The CIDs come from the iexec SDK 9.0.1's own order.prepareDatasetBulk run on the same three orders with
// maxDatasetPerTask 2 against the peers' IPFS node (tests/peers): the slices and the root protectedfs would upload
// are the same bytes, so the same CIDs, and the root's CID is the request's params.bulk_cid.
TEST_CASE("bulk slices: byte for byte the SDK's prepareDatasetBulk", "[network][bulk]") {
  network::SignedOrder order;
  order.order.dataset = crypto::Address::parse("0x7340232411DF24a28f0530C0Df2b414E8275B4d4");
  order.order.datasetprice = crypto::Uint256(0);
  order.order.volume = crypto::Uint256(network::kBulkVolume);
  order.order.tag[31] = 0x09;
  order.order.apprestrict = order.order.dataset;
  order.order.requesterrestrict = order.order.dataset;
  order.order.salt.fill(0x22);
  order.signature.fill(0x11);
  const auto slices = network::slice_bulk_orders({order, order, order}, 2);
  REQUIRE(slices.size() == 2);
  const std::string one = network::bulk_slice_json(slices[1]);
  CHECK(one == R"([{"sign":"0x)" + std::string(130, '1') + R"(","salt":"0x)" + std::string(64, '2') +
                   R"(","requesterrestrict":"0x7340232411DF24a28f0530C0Df2b414E8275B4d4",)"
                   R"("workerpoolrestrict":"0x0000000000000000000000000000000000000000",)"
                   R"("apprestrict":"0x7340232411DF24a28f0530C0Df2b414E8275B4d4",)"
                   R"("tag":"0x0000000000000000000000000000000000000000000000000000000000000009",)"
                   R"("volume":"9007199254740991","datasetprice":"0",)"
                   R"("dataset":"0x7340232411DF24a28f0530C0Df2b414E8275B4d4"}])");
  std::vector<std::string> cids;
  for (const auto& slice : slices)
    cids.push_back(format::CidBuilder::of(as_bytes(network::bulk_slice_json(slice))).cid);
  CHECK(cids == std::vector<std::string>{"QmeYTkb9RoxVzNpmBche2auQRzFr7jwFCadoaxJxqU5KMQ",
                                         "QmPpvdh6Dw2DkRd5NmMrFRSv3Q3XNd6qNBkUvB1yNAt6H9"});
  CHECK(format::CidBuilder::of(as_bytes(network::bulk_root_json(cids))).cid ==
        "QmT4VPM9bCgzXE2ocTJCsWg5WbsnXL3tkRWfQHRuQZAAeA");
}
