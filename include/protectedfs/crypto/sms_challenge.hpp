// Authorization for iExec's Secret Management Service (PROTOCOL.md §3): pushing a dataset's key with
// POST {sms}/secrets/web3?secretAddress=<dataset> is allowed only to the dataset's owner, who proves it by
// personal_sign-ing a challenge that binds the dataset and the exact request body.
#pragma once
#include <string>
#include <string_view>

#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

// keccak256( keccak256("IEXEC_SMS_DOMAIN") || dataset (20 bytes) || keccak256(secret_value) ), where secret_value is
// the request body as sent (for a protected data: the base64 text of the AES key, not the decoded key).
Hash32 sms_challenge(const Address& dataset, std::string_view secret_value);
// The Authorization header value: "0x" + hex of the 65-byte personal_sign over the 32 challenge bytes.
std::string sms_authorization(const PrivateKey& owner, const Address& dataset, std::string_view secret_value);
// Who signed an Authorization header for this dataset and body (what the SMS compares with the on-chain owner).
Address sms_authorization_signer(std::string_view authorization, const Address& dataset, std::string_view secret_value);

// Web2 secrets (a wallet's named secrets, e.g. iexec-result-encryption-public-key), pushed with POST or PUT
// {sms}/secrets/web2?ownerAddress=<owner>&secretName=<name>, as the SDK's pushWeb2Secret signs them:
// keccak256( keccak256("IEXEC_SMS_DOMAIN") || owner (20 bytes) || keccak256(name) || keccak256(value) ).
Hash32 sms_web2_challenge(const Address& owner, std::string_view name, std::string_view value);
std::string sms_web2_authorization(const PrivateKey& owner, std::string_view name, std::string_view value);

}  // namespace pfs::crypto
