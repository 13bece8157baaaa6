// Small helpers shared by the crypto sources (private: not part of the public headers).
#pragma once
#include <string>
#include <string_view>

#include "protectedfs/util/quote.hpp"

namespace pfs::crypto::detail {

// Untrusted, non-secret text in an error message, through the one escaping function (util/quote.hpp).
inline std::string quoted(std::string_view text, std::size_t limit = 80) { return pfs::quote(text, limit); }

}  // namespace pfs::crypto::detail
