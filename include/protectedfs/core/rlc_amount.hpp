// Amounts of RLC as users type and read them, in one place for the grant attribute's `price=` (SPEC.md §3) and the
// commands (--max-price, faucet, balances): nRLC (the unit of prices and balances, 1 RLC = 10^9 nRLC) as a bare
// integer, or RLC with a suffix.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace pfs::core {

// "5000" → 5000 nRLC; "1.5RLC" or "1.5 RLC" → 1500000000 nRLC (at most 9 decimals). EINVAL for anything else
// and above 2^64 - 1 nRLC, the message naming the amount as `what` ("price", "amount").
uint64_t parse_nrlc(std::string_view text, std::string_view what = "amount");

// 1500000000 → "1.5 RLC", 5 → "0.000000005 RLC", 0 → "0 RLC".
std::string format_rlc(uint64_t nrlc);

}  // namespace pfs::core
