// SHA-256 (OpenSSL: uses SHA-NI where the CPU has it), one-shot and incremental.
#pragma once
#include <memory>

#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(ByteView data);
  Hash32 finish();  // the object is reset and can hash again

  static Hash32 digest(ByteView data);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pfs::crypto
