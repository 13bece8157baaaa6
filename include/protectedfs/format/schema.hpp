// The schema of a protected data: a tree of keys, each a leaf FieldType or a nested schema (PROTOCOL.md §1.2).
//
// Order is a JavaScript object's, because the SDK's schema IS one (JSON.stringify of the object extractDataSchema
// built, and createZipFromObject walks the same object): keys that are array indices ("0", "7", "42": canonical
// decimal below 2^32 - 1) come first in ascending numeric order, every other key keeps insertion order. So
// adding "b", "10", "a", "9" iterates as "9", "10", "b", "a". Callers insert fields in name order (SPEC.md §2).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "protectedfs/format/field_type.hpp"

namespace pfs::format {

class Schema {
 public:
  struct Entry;

  // Add a leaf or a nested object under `key`. EINVAL if the key is not ^[A-Za-z0-9_-]+$ or already present.
  void add(std::string key, FieldType type);
  void add(std::string key, Schema nested);
  // Adds an empty nested object and returns it; the reference is valid until the next add on *this.
  Schema& add_object(std::string key);

  // In iteration order (see above).
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const;  // defined below, once Entry is complete (clang instantiates vector members eagerly)
  std::size_t size() const;

  // The leaf at a dot path ("smtp.port"); nullopt when absent or when the path names a nested object.
  std::optional<FieldType> find(std::string_view dot_path) const;
  // The nested object at a dot path; nullptr when absent or a leaf.
  const Schema* find_object(std::string_view dot_path) const;

  // Every leaf as (dot path, type), depth first in iteration order.
  std::vector<std::pair<std::string, FieldType>> leaves() const;
  // The searchable form used by the subgraph and `find`: one "dot.path:type" per leaf ("smtp.port:f64").
  std::vector<std::string> searchable() const;

  // Compact JSON, byte for byte what JSON.stringify gives for the SDK's schema object:
  // {"email":"string","doc":"application/pdf","smtp":{"port":"f64"}}
  std::string to_json() const;
  // A schema JSON (as registered on chain). EINVAL, saying where, for: invalid JSON, a top level that is not an
  // object, a bad or duplicate key, an unknown type string, an array (the SDK refuses them), a number/bool/null
  // value, nesting deeper than kMaxDepth, more than kMaxKeys keys or kMaxJsonBytes bytes. Linear in the text.
  static Schema parse(std::string_view json);

  // The limits shared by every writer (pack, the publisher, mkdir in the mount) and the reader: a schema this
  // project writes is one it reads back. A dataset anyone can transfer to a victim is parsed by the victim's tree
  // sync, so the reader's work is bounded too.
  static constexpr std::size_t kMaxDepth = 64;            // nested objects, the top level counting as 1
  static constexpr std::size_t kMaxKeys = 100'000;        // keys in all, nested ones included
  static constexpr std::size_t kMaxJsonBytes = 4u << 20;  // the compact JSON text
  // EINVAL naming the limit when this schema exceeds one of them (what a writer checks before registering).
  void check_limits() const;

  // Entries in any order (each key valid and unique, EINVAL otherwise), placed in iteration order: O(n log n).
  static Schema from_entries(std::vector<Entry> entries);

  friend bool operator==(const Schema& a, const Schema& b);

 private:
  Entry& insert(Entry entry);
  const Entry* find_key(std::string_view key) const;
  const Entry* find_path(std::string_view dot_path) const;
  void reindex(std::size_t from);
  void collect(std::string& prefix, std::vector<std::pair<std::string, FieldType>>& out) const;

  std::vector<Entry> entries_;
  // Keys are looked up through an index (never by scanning entries_): a schema of 80,000 keys is built and read
  // in linear time. entries_[0, index_keys_) are the array-index keys, in numeric order.
  std::unordered_map<std::string, std::size_t> positions_;
  std::size_t index_keys_ = 0;
};

struct Schema::Entry {
  std::string key;
  std::variant<FieldType, Schema> value;

  bool is_leaf() const { return std::holds_alternative<FieldType>(value); }
  FieldType type() const { return std::get<FieldType>(value); }     // throws std::bad_variant_access for objects
  const Schema& object() const { return std::get<Schema>(value); }  // throws std::bad_variant_access for leaves
  friend bool operator==(const Entry& a, const Entry& b) { return a.key == b.key && a.value == b.value; }
};

inline bool Schema::empty() const { return entries_.empty(); }
inline std::size_t Schema::size() const { return entries_.size(); }
inline bool operator==(const Schema& a, const Schema& b) { return a.entries_ == b.entries_; }

// True for the keys a JavaScript object orders first (array indices).
bool is_array_index_key(std::string_view key);

// The one order of field keys (the schema's, the zip's, the tree's): a JavaScript object's when its keys were
// inserted in name order, as SPEC.md §2 inserts them: array indices first, numerically ("9" before "10"), then the
// other keys in byte order.
bool javascript_key_less(std::string_view a, std::string_view b);

}  // namespace pfs::format
