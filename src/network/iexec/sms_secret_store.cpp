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

namespace {
constexpr std::string_view kResultKeyName = "iexec-result-encryption-public-key";
}  // namespace

std::string SmsSecretStore::web2_url(const crypto::Address& owner) const {
  return join_url(context_->profile().sms,
                  "/secrets/web2?ownerAddress=" + owner.to_string() + "&secretName=" + std::string(kResultKeyName));
}

void SmsSecretStore::push_result_key(const crypto::PrivateKey& requester, const std::string& public_key_pem) {
  if (!public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"))
    throw Error(EINVAL, "a result-encryption key is a PEM public key (BEGIN PUBLIC KEY)");
  const std::string body = to_base64(as_bytes(public_key_pem));
  if (body.size() > kMaxSecretSize) throw Error(EINVAL, "the result-encryption key is over the SMS's 4096 bytes");
  HttpRequest request;
  request.method = result_key_exists(requester.address()) ? "PUT" : "POST";
  request.url = web2_url(requester.address());
  request.headers = {"Content-Type: text/plain",
                     "Authorization: " + crypto::sms_web2_authorization(requester, kResultKeyName, body)};
  request.body = body;
  const HttpResponse response = context_->http().send(request);
  if (response.status == 401 || response.status == 403)
    throw Error(EACCES, "the SMS refused the result-encryption key of " + requester.address().to_string());
  require_success(response, "SMS push of the result-encryption key of " + requester.address().to_string());
}

bool SmsSecretStore::result_key_exists(const crypto::Address& requester) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = web2_url(requester);
  const HttpResponse response = context_->http().send(request);
  if (response.status == 404) return false;
  require_success(response, "SMS check of the result-encryption key of " + requester.to_string());
  return true;
}

}  // namespace pfs::network::iexec
