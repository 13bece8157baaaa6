#include "protectedfs/network/network.hpp"

namespace pfs::network {

uint64_t OrderState::remaining() const {
  if (closed) return 0;
  const crypto::Uint256 volume = order.order.volume;
  if (!volume.fits_uint64()) return UINT64_MAX;
  const uint64_t v = volume.to_uint64();
  return consumed >= v ? 0 : v - consumed;
}

}  // namespace pfs::network
