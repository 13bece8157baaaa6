#include "protectedfs/format/multiaddr.hpp"

#include <algorithm>

#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/utf8.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::format {
namespace {

// varint(421) = a5 03 (the p2p protocol, alias ipfs), varint(34) = 22, then the sha2-256 multihash 12 20.
constexpr uint8_t kP2pHeader[] = {0xa5, 0x03, 0x22, 0x12, 0x20};

// `scheme://rest`: RFC 3986 scheme, something after the separator, valid UTF-8, no ASCII whitespace or control.
bool looks_like_url(std::string_view s) {
  const std::size_t sep = s.find("://");
  if (sep == std::string_view::npos || sep == 0 || sep + 3 == s.size()) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return false;
  for (std::size_t i = 1; i < sep; ++i) {
    const char c = s[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  if (std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<uint8_t>(c);
        return u <= 0x20 || u == 0x7f;
      }))
    return false;
  return Utf8Validator::valid(as_bytes(s));
}

}  // namespace

Bytes multiaddr_p2p(const Hash32& digest) {
  Bytes out(kP2pMultiaddrSize);
  std::copy(std::begin(kP2pHeader), std::end(kP2pHeader), out.begin());
  std::copy(digest.begin(), digest.end(), out.begin() + sizeof kP2pHeader);
  return out;
}

Bytes multiaddr_from_text(std::string_view text) {
  std::string_view cid;
  if (text.starts_with("/p2p/")) cid = text.substr(5);
  else if (text.starts_with("/ipfs/")) cid = text.substr(6);
  else throw Error(EINVAL, "not a /p2p/<CIDv0> multiaddr: '" + std::string(text) + "'");
  return multiaddr_p2p(cid_v0_digest(cid));
}

std::string multiaddr_to_text(ByteView bytes) {
  if (bytes.size() != kP2pMultiaddrSize || !std::equal(std::begin(kP2pHeader), std::end(kP2pHeader), bytes.begin()))
    throw Error(EINVAL, "not a /p2p/<sha2-256> multiaddr (" + std::to_string(bytes.size()) +
                            " bytes: " + to_hex0x(bytes.first(std::min<std::size_t>(bytes.size(), 64))) + ")");
  Hash32 digest;
  std::copy(bytes.begin() + sizeof kP2pHeader, bytes.end(), digest.begin());
  return "/p2p/" + cid_v0_from_digest(digest);
}

DatasetLocation decode_dataset_multiaddr(ByteView bytes) {
  DatasetLocation location;
  if (bytes.size() == kP2pMultiaddrSize && std::equal(std::begin(kP2pHeader), std::end(kP2pHeader), bytes.begin())) {
    location.kind = DatasetLocation::Kind::Ipfs;
    std::copy(bytes.begin() + sizeof kP2pHeader, bytes.end(), location.digest.begin());
    location.text = "/p2p/" + cid_v0_from_digest(location.digest);
    return location;
  }
  const std::string_view text = as_chars(bytes);
  if (!looks_like_url(text))
    throw Error(EINVAL, "dataset multiaddr is neither /p2p/<CIDv0> nor a URL (" + std::to_string(bytes.size()) +
                            " bytes: " + to_hex0x(bytes.first(std::min<std::size_t>(bytes.size(), 64))) + ")");
  location.kind = DatasetLocation::Kind::Url;
  location.text = std::string(text);
  return location;
}

Bytes encode_dataset_multiaddr(std::string_view text) {
  if (text.starts_with("/")) return multiaddr_from_text(text);
  if (!looks_like_url(text)) throw Error(EINVAL, "not a /p2p/<CIDv0> multiaddr nor a URL: '" + std::string(text) + "'");
  return to_bytes(text);
}

}  // namespace pfs::format
