// The dataset location stored on chain (PROTOCOL §1.7): the binary multiaddr of `/p2p/<CIDv0>`, i.e.
// a5 03 (protocol 421, varint) 22 (length 34) 12 20 <sha256 digest>: 37 bytes. Readers (the iexec SDK's
// multiaddrHexToHuman) fall back to reading the bytes as UTF-8 text, which is how plain URLs are stored.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

inline constexpr std::size_t kP2pMultiaddrSize = 37;

// 37-byte binary multiaddr of /p2p/<CIDv0 of digest>.
Bytes multiaddr_p2p(const Hash32& digest);
// Text "/p2p/Qm…" (or its alias "/ipfs/Qm…") to the 37 bytes; pfs::Error(EINVAL) for any other text.
Bytes multiaddr_from_text(std::string_view text);
// The 37 bytes back to "/p2p/Qm…"; pfs::Error(EINVAL) for any other bytes.
std::string multiaddr_to_text(ByteView bytes);

// What a dataset's on-chain `multiaddr` bytes designate.
struct DatasetLocation {
  enum class Kind { Ipfs, Url };
  Kind kind = Kind::Ipfs;
  std::string text;  // "/p2p/Qm…" for Ipfs, the URL itself for Url
  Hash32 digest{};   // Ipfs only: the CIDv0's sha256 digest
};

// Accepts the 37-byte /p2p/ multiaddr, or a UTF-8 URL (`scheme://…`, valid UTF-8, no whitespace or control
// characters); pfs::Error(EINVAL) for anything else.
DatasetLocation decode_dataset_multiaddr(ByteView bytes);
// What to store on chain for a location given as text: a /p2p/ (or /ipfs/) multiaddr becomes its 37 bytes, a URL
// its UTF-8 bytes; pfs::Error(EINVAL) for anything else.
Bytes encode_dataset_multiaddr(std::string_view text);

}  // namespace pfs::format
