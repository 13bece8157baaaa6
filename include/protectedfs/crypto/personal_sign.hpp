// EIP-191 "personal_sign" (version 0x45): what wallets sign for a plain message, and what the iExec SMS expects in
// its Authorization header. The prefix stops a signed message from doubling as a signed transaction.
#pragma once
#include <array>
#include <cstdint>

#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::crypto {

// keccak256("\x19Ethereum Signed Message:\n" + decimal byte length + message)
Hash32 hash_personal_message(ByteView message);
// 65 bytes r || s || v with v = 27/28, identical to ethers' Wallet.signMessage (deterministic).
std::array<uint8_t, 65> personal_sign(const PrivateKey& key, ByteView message);
// The address that produced signature over message (v 0/1/27/28); EINVAL for a malformed signature.
Address recover_personal_signer(ByteView message, ByteView signature);

}  // namespace pfs::crypto
