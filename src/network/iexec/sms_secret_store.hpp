// The iExec SMS (PROTOCOL.md §3): POST {sms}/secrets/web3?secretAddress=<dataset> with the owner's signed challenge in
// Authorization; HEAD on the same URL tells whether a secret is stored. The SMS checks the signer against the
// dataset's on-chain owner, so a push must come after the registration is mined (the registry's register_dataset
// returns only then).
#pragma once
#include <memory>
#include <string>

#include "network/iexec/context.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::iexec {

class SmsSecretStore final : public SecretStore {
 public:
  explicit SmsSecretStore(std::shared_ptr<Context> context) : context_(std::move(context)) {}

  void push(const crypto::PrivateKey& owner, const crypto::Address& dataset, const std::string& secret) override;
  bool exists(const crypto::Address& dataset) override;

  static constexpr std::size_t kMaxSecretSize = 4096;

 private:
  std::string url(const crypto::Address& dataset) const;
  std::shared_ptr<Context> context_;
};

}  // namespace pfs::network::iexec
