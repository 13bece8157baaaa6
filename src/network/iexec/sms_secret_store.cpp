#include "network/iexec/sms_secret_store.hpp"

#include "protectedfs/crypto/sms_challenge.hpp"

namespace pfs::network::iexec {

std::string SmsSecretStore::url(const crypto::Address& dataset) const {
  return join_url(context_->profile().sms, "/secrets/web3?secretAddress=" + dataset.to_string());
}

void SmsSecretStore::push(const crypto::PrivateKey& owner, const crypto::Address& dataset, const std::string& secret) {
  if (secret.size() > kMaxSecretSize)
    throw Error(EINVAL, "a secret is at most 4096 bytes, this one has " + std::to_string(secret.size()));
  HttpRequest request;
  request.method = "POST";
  request.url = url(dataset);
  request.headers = {"Content-Type: text/plain", "Authorization: " + crypto::sms_authorization(owner, dataset, secret)};
  request.body = secret;
  const HttpResponse response = context_->http().send(request);
  // Never echo the request; the SMS's answer holds no secret.
  switch (response.status) {
    case 200:
    case 201:
    case 204:
      return;
    case 401:
    case 403:
      throw Error(EACCES, "the SMS refused the secret of " + dataset.to_string() + ": " + owner.address().to_string() +
                              " is not its on-chain owner");
    case 409:
      throw Error(EEXIST, "the SMS already holds a secret for " + dataset.to_string() + " (it can never be replaced)");
    case 413:
      throw Error(EINVAL, "the SMS refused the secret of " + dataset.to_string() + " as too large");
    default:
      require_success(response, "SMS push for " + dataset.to_string());
  }
}

bool SmsSecretStore::exists(const crypto::Address& dataset) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = url(dataset);
  const HttpResponse response = context_->http().send(request);
  if (response.status == 404) return false;
  require_success(response, "SMS check for " + dataset.to_string());
  return true;
}

}  // namespace pfs::network::iexec
