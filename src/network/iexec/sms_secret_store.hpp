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
  // The web2 secret iexec-result-encryption-public-key: the PEM's base64 as body (what the SDK's
  // formatEncryptionKey sends), POST the first time, PUT to replace it (the SDK's forceUpdate).
  void push_result_key(const crypto::PrivateKey& requester, const std::string& public_key_pem) override;
  bool result_key_exists(const crypto::Address& requester) override;

  static constexpr std::size_t kMaxSecretSize = 4096;

 private:
  std::string url(const crypto::Address& dataset) const;
  std::string web2_url(const crypto::Address& owner) const;
  std::shared_ptr<Context> context_;
};

}  // namespace pfs::network::iexec
