// Dataset locations as the chain stores them (binary multiaddr or URL bytes) and as users type them, and CIDv0 text.
#include "fuzz.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace pfs;
  const ByteView bytes(data, size);
  const std::string_view text = fuzz::text_of(data, size);
  fuzz::refusal_allowed([&] {
    const format::DatasetLocation location = format::decode_dataset_multiaddr(bytes);
    // What decodes encodes back to the same bytes.
    if (format::encode_dataset_multiaddr(location.text) != Bytes(bytes.begin(), bytes.end())) std::abort();
  });
  fuzz::refusal_allowed([&] { (void)format::encode_dataset_multiaddr(text); });
  fuzz::refusal_allowed([&] { (void)format::multiaddr_to_text(format::multiaddr_from_text(text)); });
  fuzz::refusal_allowed([&] { (void)format::multiaddr_to_text(bytes); });
  const bool valid = format::is_cid_v0(text);
  try {
    if (format::cid_v0_from_digest(format::cid_v0_digest(text)) != text) std::abort();
    if (!valid) std::abort();  // is_cid_v0 must agree with cid_v0_digest
  } catch (const Error&) {
    if (valid) std::abort();
  }
  return 0;
}
