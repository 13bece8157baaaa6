#include "protectedfs/network/network.hpp"

#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network {

crypto::Address check_signed_order(const SignedOrder& signed_order, const crypto::Eip712Domain& domain,
                                   const crypto::Address& publisher) {
  const crypto::DatasetOrder& order = signed_order.order;
  if (order.apprestrict.is_zero())
    throw Error(EINVAL, "a grant must name its app: apprestrict 0x0 would let any app read the data");
  if (order.volume.is_zero()) throw Error(EINVAL, "a grant of volume 0 allows no access");
  if (order.hash(domain) != signed_order.hash)
    throw Error(EINVAL, "order hash " + to_hex0x(signed_order.hash) +
                            " is not the hash of the order in the domain of " + domain.name + " on chain " +
                            domain.chain_id.to_decimal());
  crypto::Address signer;
  try {
    signer = crypto::recover_address(signed_order.hash, signed_order.signature);
  } catch (const Error&) {
    throw Error(EACCES, "the signature of order " + to_hex0x(signed_order.hash) + " recovers no key");
  }
  // As iExec's market, which takes an order only from its signer's login.
  if (signer != publisher)
    throw Error(EACCES, "order " + to_hex0x(signed_order.hash) + " is signed by " + signer.to_string() +
                            ", not by the publishing wallet " + publisher.to_string());
  return signer;
}

uint64_t OrderState::remaining() const {
  if (closed) return 0;
  const crypto::Uint256 volume = order.order.volume;
  if (!volume.fits_uint64()) return UINT64_MAX;
  const uint64_t v = volume.to_uint64();
  return consumed >= v ? 0 : v - consumed;
}

}  // namespace pfs::network
