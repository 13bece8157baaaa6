// iExec's bulk request on IPFS (the SDK's order.prepareDatasetBulk).
#pragma once
#include <string>
#include <vector>

#include "protectedfs/network/network.hpp"

namespace pfs::network {

// What the SDK's prepareDatasetBulk uploads to IPFS, byte for byte: a slice is JSON.stringify of its signed orders
// as the SDK's yup schema outputs them (members in the order sign, salt, requesterrestrict, workerpoolrestrict,
// apprestrict, tag, volume, datasetprice, dataset; addresses checksummed, numbers as decimal strings), and the root
// (whose CID is the request's params.bulk_cid) the JSON array of the slices' CIDs.
std::string bulk_slice_json(const std::vector<SignedOrder>& slice);
std::string bulk_root_json(const std::vector<std::string>& slice_cids);

}  // namespace pfs::network
