// Borsh values (scalar zip entries), their text forms (file contents), and schema JSON (read back from the chain).
// A schema that parses must print back to JSON that parses to the same schema.
#include <cstdlib>

#include "fuzz.hpp"
#include "protectedfs/format/borsh.hpp"
#include "protectedfs/format/schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using namespace pfs;
  using format::FieldType;
  const ByteView bytes(data + 1, size - 1);
  const std::string_view text = pfs::fuzz::text_of(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      fuzz::refusal_allowed([&] { (void)format::decode_bool(bytes); });
      fuzz::refusal_allowed([&] { (void)format::to_text(format::decode_f64(bytes)); });
      fuzz::refusal_allowed([&] { (void)format::to_text(format::decode_i128(bytes)); });
      fuzz::refusal_allowed([&] { (void)format::decode_string(bytes); });
      if (bytes.size() >= 4)
        fuzz::refusal_allowed([&] { (void)format::decode_string_length(bytes.first(4), bytes.size()); });
      break;
    case 1:
      for (FieldType type : {FieldType::Bool, FieldType::F64, FieldType::I128, FieldType::String})
        fuzz::refusal_allowed([&] {
          const Bytes borsh = format::scalar_from_text(type, text);
          const std::string back = format::scalar_to_text(type, borsh);
          // The text a file shows parses back to the same value (a string may lose a trailing newline: by design).
          if (type != FieldType::String && format::scalar_from_text(type, back) != borsh) std::abort();
        });
      break;
    default:
      fuzz::refusal_allowed([&] {
        const format::Schema schema = format::Schema::parse(text);
        (void)schema.leaves();
        (void)schema.searchable();
        if (!(format::Schema::parse(schema.to_json()) == schema)) std::abort();  // JSON round trip
      });
  }
  return 0;
}
