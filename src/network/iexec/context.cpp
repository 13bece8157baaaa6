#include "network/iexec/context.hpp"

#include "network/iexec/contracts.hpp"
#include "protectedfs/crypto/abi.hpp"

namespace pfs::network::iexec {

Context::Context(Profile profile) : profile_(std::move(profile)) {
  HttpOptions options;
  options.timeout = profile_.request_timeout;
  http_ = std::make_shared<HttpClient>(options);
  auto rpc = std::make_shared<JsonRpc>(http_, profile_.rpc);
  chain_ = std::make_shared<Chain>(rpc, profile_.log_start_block, profile_.log_block_range);
  SenderOptions sender;
  sender.chain_id = profile_.chain_id;
  sender.receipt_timeout = profile_.tx_timeout;
  sender_ = std::make_shared<TransactionSender>(chain_, sender);
}

crypto::Address Context::dataset_registry() {
  if (profile_.dataset_registry) return *profile_.dataset_registry;
  {
    MutexLock lock(mutex_);
    if (dataset_registry_) return *dataset_registry_;
  }
  const auto address = crypto::abi::decode_address(chain_->call(profile_.hub, contracts::dataset_registry()));
  MutexLock lock(mutex_);
  dataset_registry_ = address;
  return address;
}

crypto::Address Context::app_registry() {
  {
    MutexLock lock(mutex_);
    if (app_registry_) return *app_registry_;
  }
  const auto address = crypto::abi::decode_address(chain_->call(profile_.hub, contracts::app_registry()));
  MutexLock lock(mutex_);
  app_registry_ = address;
  return address;
}

Hash32 Context::proxy_code_hash() {
  {
    MutexLock lock(mutex_);
    if (proxy_code_hash_) return *proxy_code_hash_;
  }
  const Hash32 hash = crypto::abi::decode_bytes32(chain_->call(dataset_registry(), contracts::proxy_code_hash()));
  MutexLock lock(mutex_);
  proxy_code_hash_ = hash;
  return hash;
}

crypto::Eip712Domain Context::domain() {
  {
    MutexLock lock(mutex_);
    if (domain_) return *domain_;
  }
  const Bytes answer = chain_->call(profile_.hub, contracts::domain());
  if (answer.empty())
    throw Error(EIO, "hub " + profile_.hub.to_string() + " has no domain(): is it the PoCo hub of chain " +
                         std::to_string(profile_.chain_id) + "?");
  crypto::Eip712Domain domain = contracts::decode_domain(answer);
  // Orders signed in another domain would never match: refuse a profile that does not describe this hub.
  if (domain.chain_id != crypto::Uint256(profile_.chain_id) || domain.verifying_contract != profile_.hub)
    throw Error(EINVAL, "hub " + profile_.hub.to_string() + " signs orders for chain " + domain.chain_id.to_decimal() +
                            ", the profile says chain_id " + std::to_string(profile_.chain_id));
  MutexLock lock(mutex_);
  domain_ = domain;
  return domain;
}

}  // namespace pfs::network::iexec
