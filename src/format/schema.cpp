#include "protectedfs/format/schema.hpp"

#include <algorithm>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "format/quote.hpp"
#include "protectedfs/format/field_key.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::format {

bool is_array_index_key(std::string_view key) {
  // ECMAScript: an array index is a String P with ToString(ToUint32(P)) === P and ToUint32(P) != 2^32 - 1.
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  uint64_t value = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value < 0xffffffffull;
}

bool javascript_key_less(std::string_view a, std::string_view b) {
  const bool a_index = is_array_index_key(a), b_index = is_array_index_key(b);
  if (a_index != b_index) return a_index;
  // Indices have no leading zeros: a shorter one is smaller, and among equal lengths byte order is numeric.
  if (a_index && a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

namespace {

// Splits "a.b.c" into its first key and the rest ("" when none).
std::pair<std::string_view, std::string_view> split_first(std::string_view path) {
  const std::size_t dot = path.find('.');
  if (dot == std::string_view::npos) return {path, {}};
  return {path.substr(0, dot), path.substr(dot + 1)};
}

std::size_t depth_of(const Schema& schema) {
  std::size_t deepest = 0;
  for (const auto& entry : schema.entries())
    if (!entry.is_leaf()) deepest = std::max(deepest, depth_of(entry.object()));
  return deepest + 1;
}

std::size_t keys_of(const Schema& schema) {
  std::size_t count = schema.size();
  for (const auto& entry : schema.entries())
    if (!entry.is_leaf()) count += keys_of(entry.object());
  return count;
}

void write_json(const Schema& schema, std::string& out) {
  out += '{';
  bool first = true;
  for (const auto& entry : schema.entries()) {
    if (!first) out += ',';
    first = false;
    // Keys are [A-Za-z0-9_-] and types plain ASCII: nothing to escape.
    out += '"';
    out += entry.key;
    out += "\":";
    if (entry.is_leaf()) {
      out += '"';
      out += to_string(entry.type());
      out += '"';
    } else {
      write_json(entry.object(), out);
    }
  }
  out += '}';
}

// Builds a Schema straight from nlohmann's SAX events, so that every refusal can name its place (and so that
// duplicate keys, which a DOM would silently merge, are seen).
class SchemaSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<Schema> result;
  std::string error;

  bool null() override { return refuse("null"); }
  bool boolean(bool) override { return refuse("a boolean"); }
  bool number_integer(number_integer_t) override { return refuse("a number"); }
  bool number_unsigned(number_unsigned_t) override { return refuse("a number"); }
  bool number_float(number_float_t, const string_t&) override { return refuse("a number"); }
  bool binary(binary_t&) override { return refuse("binary data"); }
  bool start_array(std::size_t) override {
    if (frames_.empty()) return fail("schema must be a JSON object, found an array");
    return fail("schema has an array at " + where(pending_key_) + ": arrays are not supported (the SDK refuses them)");
  }
  bool end_array() override { return false; }

  bool string(string_t& value) override {
    if (frames_.empty()) return fail("schema must be a JSON object, found a string");
    try {
      const FieldType type = parse_field_type(value);
      frames_.back().entries.push_back(Schema::Entry{std::move(pending_key_), type});
    } catch (const Error& e) {
      return fail(std::string(e.what()) + " at " + where(pending_key_));
    }
    return true;
  }

  bool start_object(std::size_t) override {
    if (frames_.size() >= Schema::kMaxDepth)
      return fail("schema is nested deeper than " + std::to_string(Schema::kMaxDepth) + " levels");
    frames_.push_back({pending_key_, {}, {}});
    pending_key_.clear();
    return true;
  }

  bool key(string_t& key) override {
    if (!is_valid_key(key))
      return fail("schema key " + detail::quoted(key) + " in " + where({}) +
                  " is invalid (keys match ^[A-Za-z0-9_-]+$)");
    if (++keys_ > Schema::kMaxKeys) return fail("schema has more than " + std::to_string(Schema::kMaxKeys) + " keys");
    if (!frames_.back().keys.insert(key).second)
      return fail("duplicate field key " + detail::quoted(key) + " in " + where({}));
    pending_key_ = key;
    return true;
  }

  bool end_object() override {
    Frame done = std::move(frames_.back());
    frames_.pop_back();
    Schema schema = Schema::from_entries(std::move(done.entries));  // keys checked above: it can't throw
    if (frames_.empty()) {
      result = std::move(schema);
      return true;
    }
    frames_.back().entries.push_back(Schema::Entry{std::move(done.key), std::move(schema)});
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // nlohmann's message starts with "[json.exception.parse_error.101] ": keep the human part only.
    std::string message = e.what();
    if (const auto close = message.find("] "); close != std::string::npos) message.erase(0, close + 2);
    return fail("schema is not valid JSON: " + message);
  }

 private:
  // An object being read: its entries in text order (placed in iteration order once complete).
  struct Frame {
    std::string key;
    std::vector<Schema::Entry> entries;
    std::unordered_set<std::string> keys;
  };

  bool refuse(const char* found) {
    if (frames_.empty()) return fail(std::string("schema must be a JSON object, found ") + found);
    return fail("schema value at " + where(pending_key_) + " must be a type string or an object, found " + found);
  }
  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }
  // Dot path of the open objects, plus `key` when given, for messages.
  std::string where(std::string_view key) const {
    std::string path;
    const auto append = [&path](std::string_view k) {
      if (!path.empty()) path += '.';
      path.append(k);
    };
    for (std::size_t i = 1; i < frames_.size(); ++i) append(frames_[i].key);
    if (!key.empty()) append(key);
    return path.empty() ? "the top level" : detail::quoted(path);
  }

  std::vector<Frame> frames_;
  std::string pending_key_;
  std::size_t keys_ = 0;
};

}  // namespace

Schema::Entry& Schema::insert(Entry entry) {
  if (!is_valid_key(entry.key))
    throw Error(EINVAL, "field key " + detail::quoted(entry.key) + " is invalid (keys match ^[A-Za-z0-9_-]+$)");
  if (positions_.count(entry.key)) throw Error(EINVAL, "duplicate field key " + detail::quoted(entry.key));
  std::size_t at = entries_.size();
  if (is_array_index_key(entry.key)) {
    // Array indices: after the smaller ones (a binary search; callers add them in order, so this is the end of
    // the indices, and the entries after it are the named keys, usually none yet).
    const auto first = entries_.begin(), last = first + static_cast<std::ptrdiff_t>(index_keys_);
    at = static_cast<std::size_t>(
        std::upper_bound(first, last, entry.key,
                         [](const std::string& k, const Entry& e) { return javascript_key_less(k, e.key); }) -
        first);
    ++index_keys_;
  }
  entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(at), std::move(entry));
  reindex(at);
  return entries_[at];
}

void Schema::reindex(std::size_t from) {
  for (std::size_t i = from; i < entries_.size(); ++i) positions_[entries_[i].key] = i;
}

const Schema::Entry* Schema::find_key(std::string_view key) const {
  const auto it = positions_.find(std::string(key));
  return it == positions_.end() ? nullptr : &entries_[it->second];
}

Schema Schema::from_entries(std::vector<Entry> entries) {
  Schema schema;
  schema.positions_.reserve(entries.size());
  for (const Entry& e : entries) {
    if (!is_valid_key(e.key))
      throw Error(EINVAL, "field key " + detail::quoted(e.key) + " is invalid (keys match ^[A-Za-z0-9_-]+$)");
    if (!schema.positions_.emplace(e.key, 0).second)
      throw Error(EINVAL, "duplicate field key " + detail::quoted(e.key));
  }
  // Indices first in numeric order, then the other keys in the order given: a JavaScript object's order.
  const auto named =
      std::stable_partition(entries.begin(), entries.end(), [](const Entry& e) { return is_array_index_key(e.key); });
  std::sort(entries.begin(), named, [](const Entry& a, const Entry& b) { return javascript_key_less(a.key, b.key); });
  schema.index_keys_ = static_cast<std::size_t>(named - entries.begin());
  schema.entries_ = std::move(entries);
  schema.reindex(0);
  return schema;
}

void Schema::add(std::string key, FieldType type) { insert(Entry{std::move(key), type}); }

void Schema::add(std::string key, Schema nested) { insert(Entry{std::move(key), std::move(nested)}); }

Schema& Schema::add_object(std::string key) { return std::get<Schema>(insert(Entry{std::move(key), Schema{}}).value); }

void Schema::check_limits() const {
  if (depth_of(*this) > kMaxDepth)
    throw Error(EINVAL, "schema is nested deeper than " + std::to_string(kMaxDepth) + " levels");
  if (keys_of(*this) > kMaxKeys) throw Error(EINVAL, "schema has more than " + std::to_string(kMaxKeys) + " keys");
  if (to_json().size() > kMaxJsonBytes)
    throw Error(EINVAL, "schema is larger than " + std::to_string(kMaxJsonBytes >> 20) + " MiB");
}

const Schema::Entry* Schema::find_path(std::string_view dot_path) const {
  const Schema* current = this;
  while (true) {
    const auto [key, rest] = split_first(dot_path);
    const Entry* entry = current->find_key(key);
    if (entry == nullptr) return nullptr;
    if (rest.empty() && dot_path.size() == key.size()) return entry;
    if (entry->is_leaf()) return nullptr;
    current = &entry->object();
    dot_path = rest;
  }
}

std::optional<FieldType> Schema::find(std::string_view dot_path) const {
  const Entry* entry = find_path(dot_path);
  if (entry == nullptr || !entry->is_leaf()) return std::nullopt;
  return entry->type();
}

const Schema* Schema::find_object(std::string_view dot_path) const {
  const Entry* entry = find_path(dot_path);
  if (entry == nullptr || entry->is_leaf()) return nullptr;
  return &entry->object();
}

void Schema::collect(std::string& prefix, std::vector<std::pair<std::string, FieldType>>& out) const {
  for (const auto& entry : entries_) {
    const std::size_t mark = prefix.size();
    if (!prefix.empty()) prefix += '.';
    prefix += entry.key;
    if (entry.is_leaf()) out.emplace_back(prefix, entry.type());
    else entry.object().collect(prefix, out);
    prefix.resize(mark);
  }
}

std::vector<std::pair<std::string, FieldType>> Schema::leaves() const {
  std::vector<std::pair<std::string, FieldType>> out;
  std::string prefix;
  collect(prefix, out);
  return out;
}

std::vector<std::string> Schema::searchable() const {
  std::vector<std::string> out;
  for (const auto& [path, type] : leaves()) out.push_back(path + ":" + std::string(to_string(type)));
  return out;
}

std::string Schema::to_json() const {
  std::string out;
  write_json(*this, out);
  return out;
}

Schema Schema::parse(std::string_view json) {
  if (json.size() > kMaxJsonBytes)
    throw Error(EINVAL, "schema is larger than " + std::to_string(kMaxJsonBytes >> 20) + " MiB");
  SchemaSax sax;
  const bool ok = nlohmann::json::sax_parse(json.begin(), json.end(), &sax);
  if (!ok || !sax.result) throw Error(EINVAL, sax.error.empty() ? "schema is not a JSON object" : sax.error);
  return std::move(*sax.result);
}

}  // namespace pfs::format
