// SHA-256 (OpenSSL: uses SHA-NI where the CPU has it), one-shot and incremental.
#pragma once
#include <memory>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"

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
  // The digest of everything a source holds, read in 1 MiB pieces (a protected file's checksum, PROTOCOL.md §1.5).
  static Hash32 digest(const RandomAccessSource& source);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pfs::crypto
