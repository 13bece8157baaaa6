#include "protectedfs/crypto/sms_challenge.hpp"

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/crypto/personal_sign.hpp"

namespace pfs::crypto {

namespace {
const Hash32& sms_domain() {
  static const Hash32 domain = keccak256(as_bytes("IEXEC_SMS_DOMAIN"));
  return domain;
}
}  // namespace

Hash32 sms_web2_challenge(const Address& owner, std::string_view name, std::string_view value) {
  return Keccak256()
      .update(sms_domain())
      .update(owner.bytes())
      .update(keccak256(as_bytes(name)))
      .update(keccak256(as_bytes(value)))
      .finish();
}

std::string sms_web2_authorization(const PrivateKey& owner, std::string_view name, std::string_view value) {
  return to_hex0x(personal_sign(owner, sms_web2_challenge(owner.address(), name, value)));
}

Hash32 sms_challenge(const Address& dataset, std::string_view secret_value) {
  const Hash32& domain = sms_domain();
  return Keccak256().update(domain).update(dataset.bytes()).update(keccak256(as_bytes(secret_value))).finish();
}

std::string sms_authorization(const PrivateKey& owner, const Address& dataset, std::string_view secret_value) {
  // The SMS checks a signature over the 32 raw challenge bytes (message length "32"), not over their hex text.
  return to_hex0x(personal_sign(owner, sms_challenge(dataset, secret_value)));
}

Address sms_authorization_signer(std::string_view authorization, const Address& dataset,
                                 std::string_view secret_value) {
  if (authorization.size() < 2 || authorization[0] != '0' || authorization[1] != 'x')
    throw Error(EINVAL, "SMS authorization must be 0x followed by a 65-byte signature in hex");
  Bytes signature = from_hex(authorization);
  return recover_personal_signer(sms_challenge(dataset, secret_value), signature);
}

}  // namespace pfs::crypto
