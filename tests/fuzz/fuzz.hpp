// Shared by the libFuzzer harnesses: a parser of outside bytes may refuse its input only with pfs::Error (a typed
// refusal the caller turns into an errno). Anything else that escapes (std::out_of_range, nlohmann's exceptions,
// std::bad_variant_access…) is a finding: it propagates, std::terminate aborts, and libFuzzer saves the input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::fuzz {

template <typename F>
void refusal_allowed(F&& parse) {
  try {
    parse();
  } catch (const pfs::Error&) {
    // the typed refusal: expected for most inputs
  }
}

inline std::string_view text_of(const uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace pfs::fuzz
