// Keccak-256 as Ethereum uses it (original Keccak padding 0x01, NOT the FIPS-202 SHA3-256 padding 0x06).
// Every Ethereum hash (addresses, ABI selectors, EIP-712, transactions, keystore MAC) is this function.
// Crypto++ provides it (OpenSSL 3.0 has no Keccak); its headers stay out of ours behind a pimpl.
#pragma once
#include <memory>

#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

class Keccak256 {
 public:
  Keccak256();
  ~Keccak256();
  Keccak256(Keccak256&&) noexcept;
  Keccak256& operator=(Keccak256&&) noexcept;

  Keccak256& update(ByteView data);
  Hash32 finish();  // the object is reset and can hash again

 private:
  struct State;
  std::unique_ptr<State> state_;
};

Hash32 keccak256(ByteView data);

}  // namespace pfs::crypto
