// The staged file header: writing a new one and checking one read back (see format.hpp for the layout).
#pragma once
#include <array>
#include <cstdint>

#include "format.hpp"
#include "protectedfs/staging/staging_store.hpp"

namespace pfs::staging {

struct Header {
  format::Algorithm algorithm;
  format::FileKey file_key;  // derived, never stored
};

// A fresh header (new random salt, the algorithm this machine runs fastest) in `out`; returns its file key.
Header make_header(const MasterKey& master, uint64_t id, std::array<uint8_t, format::kHeaderSize>& out);
// Checks magic, version, MAC (EIO naming the file when it fails: wrong key or tampering) and id.
Header check_header(const MasterKey& master, uint64_t id, const std::array<uint8_t, format::kHeaderSize>& bytes);

}  // namespace pfs::staging
