#include <sys/stat.h>

#include <cerrno>

#include "network/local/directory.hpp"
#include "network/local/files.hpp"
#include "network/local/record.hpp"
#include "protectedfs/crypto/sms_challenge.hpp"
#include "protectedfs/network/local_network.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

constexpr std::size_t kMaxSecretSize = 4096;  // iExec's SMS answers 413 above this

std::string secret_file_name(const crypto::Address& dataset) { return dataset.to_lowercase(); }
std::string result_key_file_name(const crypto::Address& wallet) { return wallet.to_lowercase() + ".result-key"; }

}  // namespace

LocalSecretStore::LocalSecretStore(std::shared_ptr<Directory> dir) : dir_(std::move(dir)) {}

void LocalSecretStore::push(const crypto::PrivateKey& owner, const crypto::Address& dataset,
                            const std::string& secret) {
  // What a client sends: the body and the owner's signature over the SMS challenge, never the key itself.
  receive(crypto::sms_authorization(owner, dataset, secret), dataset, secret);
}

void LocalSecretStore::receive(std::string_view authorization, const crypto::Address& dataset,
                               const std::string& secret) {
  if (secret.size() > kMaxSecretSize)
    throw Error(EINVAL, "secret of " + std::to_string(secret.size()) + " bytes is over the secret store's limit of " +
                            std::to_string(kMaxSecretSize));
  crypto::Address signer;
  try {
    signer = crypto::sms_authorization_signer(authorization, dataset, secret);
  } catch (const Error&) {
    throw Error(EACCES, "malformed authorization for the secret of dataset " + dataset.to_string());
  }
  const auto stored = load_record(dir_->registry(), dataset);
  if (!stored) throw Error(EACCES, "dataset " + dataset.to_string() + " is not registered");
  if (stored->record.owner != signer)
    throw Error(EACCES, signer.to_string() + " does not own dataset " + dataset.to_string());

  Directory::WriteGuard guard(*dir_);
  try {
    create_file_atomically(dir_->secrets(), secret_file_name(dataset), as_bytes(secret), 0600);
  } catch (const Error& e) {
    if (e.code() == EEXIST)
      throw Error(EEXIST, "dataset " + dataset.to_string() + " already has a secret (secrets are never replaced)");
    throw;
  }
}

bool LocalSecretStore::exists(const crypto::Address& dataset) {
  struct stat st {};
  if (::stat((dir_->secrets() / secret_file_name(dataset)).c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  throw_system_error("cannot look for the secret of " + dataset.to_string());
}

std::optional<std::string> LocalSecretStore::read_for_enclave(const crypto::Address& dataset) {
  return read_whole_file(dir_->secrets() / secret_file_name(dataset));
}

void LocalSecretStore::push_result_key(const crypto::PrivateKey& requester, const std::string& public_key_pem) {
  if (public_key_pem.size() > kMaxSecretSize || !public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"))
    throw Error(EINVAL, "a result-encryption key is a PEM public key (BEGIN PUBLIC KEY) of at most 4096 bytes");
  Directory::WriteGuard guard(*dir_);
  replace_file_atomically(dir_->secrets(), result_key_file_name(requester.address()), as_bytes(public_key_pem), 0644);
}

bool LocalSecretStore::result_key_exists(const crypto::Address& requester) {
  return read_result_key(requester).has_value();
}

std::optional<std::string> LocalSecretStore::read_result_key(const crypto::Address& requester) {
  return read_whole_file(dir_->secrets() / result_key_file_name(requester));
}

}  // namespace pfs::network::local
