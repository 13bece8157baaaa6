// base58btc (the Bitcoin alphabet), as used by CIDv0 and by the text form of /p2p/ multiaddrs.
#pragma once
#include <string>
#include <string_view>

#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

// Leading zero bytes become leading '1's; the empty input gives "".
std::string base58_encode(ByteView bytes);
// Inverse of base58_encode; throws pfs::Error(EINVAL) on any character outside the alphabet (whitespace included).
Bytes base58_decode(std::string_view text);

}  // namespace pfs::format
