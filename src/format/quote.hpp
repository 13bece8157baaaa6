// Private helper of src/format: bad input echoed in an error message through the one escaping function
// (util/quote.hpp), cut shorter since it may be a whole file's content.
#pragma once
#include <string>
#include <string_view>

#include "protectedfs/util/quote.hpp"

namespace pfs::format::detail {

inline constexpr std::size_t kMaxEcho = 40;

inline std::string quoted(std::string_view text, std::size_t max_bytes = kMaxEcho) {
  return pfs::quote(text, max_bytes);
}

}  // namespace pfs::format::detail
