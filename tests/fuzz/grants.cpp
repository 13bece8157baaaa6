// The attribute grammars a user writes with setfattr: a grant's name and terms, addresses (text or 20 raw bytes),
// RLC amounts, field types. The first byte picks the grammar, the rest is the value.
#include "protectedfs/core/grants.hpp"
#include "fuzz.hpp"
#include "protectedfs/core/rlc_amount.hpp"
#include "protectedfs/format/field_type.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = pfs::fuzz::text_of(data + 1, size - 1);
  using namespace pfs;
  switch (data[0] % 5) {
    case 0:
      fuzz::refusal_allowed([&] { (void)core::parse_grant_subject(text).attribute_name(); });
      break;
    case 1:
      fuzz::refusal_allowed([&] {
        const core::GrantTerms terms = core::parse_grant_terms(text);
        (void)core::format_grant_terms(terms, terms.count);
      });
      break;
    case 2:
      fuzz::refusal_allowed([&] { (void)core::parse_address_value(text); });
      break;
    case 3:
      fuzz::refusal_allowed([&] { (void)core::format_rlc(core::parse_nrlc(text, "price")); });
      break;
    default:
      fuzz::refusal_allowed([&] { (void)format::parse_field_type(text); });
  }
  return 0;
}
