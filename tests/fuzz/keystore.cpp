// Keystore v3 JSON as found in a file: the address read without a password, and the full decryption (the kdf
// parameters are bounded by decrypt_keystore itself, which keeps each run fast).
#include "protectedfs/crypto/keystore.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text = pfs::fuzz::text_of(data, size);
  pfs::fuzz::refusal_allowed([&] { (void)pfs::crypto::keystore_address(text); });
  pfs::fuzz::refusal_allowed([&] { (void)pfs::crypto::decrypt_keystore(text, "testpassword"); });
  return 0;
}
