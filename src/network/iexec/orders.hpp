// PoCo's other three orders (IexecLibOrders_v5), for `protectedfs run`: the app and workerpool orders come signed
// from the market, the request order is signed here by the requester. Their EIP-712 types are PoCo's (member names
// and order define the type hashes, pinned in tests/unit/network/test_iexec_contracts.cpp); the DatasetOrder is in
// protectedfs/crypto/eip712.hpp.
#pragma once
#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/eip712.hpp"
#include "protectedfs/crypto/uint256.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::network::iexec {

struct AppOrder {
  crypto::Address app;
  crypto::Uint256 appprice;
  crypto::Uint256 volume;
  Hash32 tag{};
  crypto::Address datasetrestrict;
  crypto::Address workerpoolrestrict;
  crypto::Address requesterrestrict;
  Hash32 salt{};

  crypto::TypedStruct to_struct() const;
  nlohmann::json to_json() const;  // the market's form: every member a string
  static AppOrder from_json(
      const nlohmann::json& order);  // the market's form (strings or numbers); EINVAL naming the field
};

struct WorkerpoolOrder {
  crypto::Address workerpool;
  crypto::Uint256 workerpoolprice;
  crypto::Uint256 volume;
  Hash32 tag{};
  crypto::Uint256 category;
  crypto::Uint256 trust;
  crypto::Address apprestrict;
  crypto::Address datasetrestrict;
  crypto::Address requesterrestrict;
  Hash32 salt{};

  crypto::TypedStruct to_struct() const;
  nlohmann::json to_json() const;
  static WorkerpoolOrder from_json(const nlohmann::json& order);
};

struct RequestOrder {
  crypto::Address app;
  crypto::Uint256 appmaxprice;
  crypto::Address dataset;
  crypto::Uint256 datasetmaxprice;
  crypto::Address workerpool;
  crypto::Uint256 workerpoolmaxprice;
  crypto::Address requester;
  crypto::Uint256 volume;
  Hash32 tag{};
  crypto::Uint256 category;
  crypto::Uint256 trust;
  crypto::Address beneficiary;
  crypto::Address callback;
  std::string params;  // JSON: iexec_args, iexec_result_storage_provider…
  Hash32 salt{};

  crypto::TypedStruct to_struct() const;
};

// An order with its signature, as matchOrders takes it.
struct SignedAppOrder {
  AppOrder order;
  Bytes sign;
  Hash32 hash{};
};
struct SignedWorkerpoolOrder {
  WorkerpoolOrder order;
  Bytes sign;
  Hash32 hash{};
};
struct SignedRequestOrder {
  RequestOrder order;
  std::array<uint8_t, 65> sign{};
};

// The ABI tuples of matchOrders' and manageDatasetOrder's arguments (the order's members, then `bytes sign`).
crypto::abi::Value abi_tuple(const SignedAppOrder& order);
crypto::abi::Value abi_tuple(const SignedOrder& order);
crypto::abi::Value abi_tuple(const SignedWorkerpoolOrder& order);
crypto::abi::Value abi_tuple(const SignedRequestOrder& order);

// The requester's `params` for a run: {"iexec_args": args} (plus nothing the requester did not ask for).
std::string request_params(const std::string& args);

// Bitwise OR of two tags (a request must ask for every feature its app and dataset orders require).
Hash32 tag_union(const Hash32& a, const Hash32& b);

}  // namespace pfs::network::iexec
