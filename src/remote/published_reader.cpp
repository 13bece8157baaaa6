#include "protectedfs/remote/published_reader.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/borsh.hpp"
#include "protectedfs/format/field_key.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/format/schema.hpp"
#include "protectedfs/format/zip_reader.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::remote {
namespace {

using format::FieldType;

// How a leaf's bytes are shown: a string skips its 4-byte length and gains a newline; a scalar becomes text.
struct ShownLeaf {
  const format::ZipEntry* entry = nullptr;
  FieldType type = FieldType::OctetStream;
  std::string text;  // scalars: the whole shown value

  uint64_t size() const {
    if (format::is_binary(type)) return entry->size;
    if (type == FieldType::String) return entry->size < 4 ? 0 : entry->size - 4 + 1;
    return text.size();
  }
};

void verify_checksum(const RandomAccessSource& file, const Hash32& expected, const std::string& dataset) {
  if (crypto::Sha256::digest(file) != expected)
    throw Error(EBADMSG, "the content of " + dataset + " does not match its registered checksum");
}

// The one error boundary of published reads (SPEC.md §4, ENOENT only for a name that does not exist): a named refusal
// stays what it is (EACCES: the key is not held here; ENOTSUP: stored at a URL; EBADMSG: the content fails its
// checksum, its message then naming the field), any other failure of the storage or the registry (content not found, a
// peer down, a malformed zip) is EIO naming the field and the cause. The file system's adapter logs it, once.
template <class F>
auto at_read_boundary(const core::PublishedLeaf& leaf, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error& e) {
    if (e.code() == EACCES || e.code() == ENOTSUP) throw;
    if (e.code() == EBADMSG) throw Error(EBADMSG, "reading field '" + leaf.entry + "' failed: " + e.what());
    throw Error(EIO, "reading field '" + leaf.entry + "' of " + leaf.dataset + " from the network failed: " + e.what());
  } catch (const std::exception& e) {
    throw Error(EIO, "reading field '" + leaf.entry + "' of " + leaf.dataset + " failed: " + e.what());
  }
}

std::string zip_name(std::string_view dot_path) {
  std::string out(dot_path);
  std::replace(out.begin(), out.end(), '.', '/');
  return out;
}

}  // namespace

struct PublishedReader::Version {
  std::string dataset;
  Hash32 checksum{};
  std::once_flag verified;  // the whole file is checked once, before the first content is served
  std::shared_ptr<const RandomAccessSource> cipher;
  std::unique_ptr<crypto::CbcDecryptingSource> plain;
  std::unique_ptr<format::ZipReader> zip;
  format::Schema schema;

  ShownLeaf shown(const std::string& entry_name, FieldType type) const {
    ShownLeaf leaf;
    leaf.entry = zip->find(entry_name);
    if (!leaf.entry || leaf.entry->directory)
      throw Error(EBADMSG, "the published zip has no field " + quote(entry_name));
    leaf.type = type;
    if (type == FieldType::String) {
      Bytes header(4);
      if (leaf.entry->size < 4) throw Error(EBADMSG, "field " + quote(entry_name) + " is too short to be a string");
      zip->read_range(*leaf.entry, 0, header);
      format::decode_string_length(header, leaf.entry->size);  // EBADMSG unless it matches the entry
    } else if (!format::is_binary(type)) {
      if (leaf.entry->size > 16) throw Error(EBADMSG, "field " + quote(entry_name) + " is too large for its type");
      leaf.text = format::scalar_to_text(type, zip->read_all(*leaf.entry)) + "\n";
    }
    return leaf;
  }
};

PublishedReader::PublishedReader(network::Network& network, core::KeyStore& keys, std::size_t max_open)
    : network_(network), keys_(keys), max_open_(max_open) {}

PublishedReader::~PublishedReader() = default;

std::shared_ptr<PublishedReader::Version> PublishedReader::open(const std::string& dataset) {
  {
    MutexLock lock(mutex_);
    for (auto it = recent_.begin(); it != recent_.end(); ++it) {
      if (it->first != dataset) continue;
      recent_.splice(recent_.begin(), recent_, it);
      return it->second;
    }
  }
  const auto key_text = keys_.get(dataset);
  if (!key_text) throw Error(EACCES, "the key of " + dataset + " is not held on this machine");
  const auto record = network_.registry->find(crypto::Address::parse(dataset));
  if (!record) throw Error(ENOENT, "dataset " + dataset + " is not registered");
  const auto location = format::decode_dataset_multiaddr(record->multiaddr);
  if (location.kind != format::DatasetLocation::Kind::Ipfs)
    throw Error(ENOTSUP,
                "dataset " + dataset + " is stored at a URL (" + location.text + "), not in the network's storage");
  auto version = std::make_shared<Version>();
  version->cipher = network_.storage->open(location.text.substr(location.text.rfind('/') + 1));
  version->dataset = dataset;
  version->checksum = record->checksum;
  const crypto::AesKey key = crypto::aes_key_from_base64(*key_text);
  version->plain = std::make_unique<crypto::CbcDecryptingSource>(version->cipher, key);
  version->zip = std::make_unique<format::ZipReader>(*version->plain);
  version->schema = format::Schema::parse(record->schema);

  MutexLock lock(mutex_);
  recent_.emplace_front(dataset, version);
  while (recent_.size() > max_open_) recent_.pop_back();
  return version;
}

std::vector<core::AdoptedEntry> PublishedReader::entries(const network::DatasetRecord& record) {
  // Without its key a version's fields once showed size 0, as "published": `cat` printed nothing, and no later
  // pass looked again. open() refuses it (EACCES) instead.
  return listing(record, open(record.address.to_string()).get());
}

std::vector<core::AdoptedEntry> PublishedReader::schema_entries(const network::DatasetRecord& record) {
  auto out = listing(record, nullptr);
  for (auto& entry : out) entry.size_unknown = !entry.directory;
  return out;
}

std::vector<core::AdoptedEntry> PublishedReader::listing(const network::DatasetRecord& record, const Version* version) {
  const format::Schema schema = format::Schema::parse(record.schema);
  const std::string dataset = record.address.to_string();

  std::vector<core::AdoptedEntry> out;
  std::vector<std::string> names, keys;
  std::function<void(const format::Schema&)> walk = [&](const format::Schema& object) {
    for (const auto& item : object.entries()) {
      keys.push_back(item.key);
      std::string dot_path;
      for (const auto& k : keys) dot_path += (dot_path.empty() ? "" : ".") + k;
      if (!item.is_leaf()) {
        names.push_back(item.key);
        out.push_back({names, true, 0, std::nullopt, {}});
        walk(item.object());
        names.pop_back();
      } else {
        const FieldType type = item.type();
        core::AdoptedEntry field;
        names.push_back(format::name_for_field(item.key, type));
        field.names = names;
        names.pop_back();
        field.leaf = {dataset, zip_name(dot_path), std::string(format::to_string(type))};
        // A type that detection of the shown bytes would not find again is kept as user.protected.type.
        if (!format::is_binary(type) && type != FieldType::String) field.type = field.leaf.type;
        if (type == FieldType::OctetStream) field.type = field.leaf.type;
        if (version) field.size = version->shown(field.leaf.entry, type).size();
        out.push_back(std::move(field));
      }
      keys.pop_back();
    }
  };
  walk(schema);
  return out;
}

uint64_t PublishedReader::size(const core::PublishedLeaf& leaf) {
  return at_read_boundary(
      leaf, [&] { return open(leaf.dataset)->shown(leaf.entry, format::parse_field_type(leaf.type)).size(); });
}

std::size_t PublishedReader::read(const core::PublishedLeaf& leaf, uint64_t offset, std::span<uint8_t> out) {
  return at_read_boundary(leaf, [&] { return read_unguarded(leaf, offset, out); });
}

std::size_t PublishedReader::read_unguarded(const core::PublishedLeaf& leaf, uint64_t offset, std::span<uint8_t> out) {
  const auto version = open(leaf.dataset);
  // Listing needs only the zip's central directory (a few range reads); content is served only from a file whose
  // checksum was checked, as iExec's pre-compute does (a failure throws and is checked again next time).
  std::call_once(version->verified, [&] { verify_checksum(*version->cipher, version->checksum, version->dataset); });
  const ShownLeaf shown = version->shown(leaf.entry, format::parse_field_type(leaf.type));
  const uint64_t size = shown.size();
  if (offset >= size) return 0;
  out = out.first(static_cast<std::size_t>(std::min<uint64_t>(out.size(), size - offset)));
  if (!shown.text.empty()) {
    std::memcpy(out.data(), shown.text.data() + offset, out.size());
    return out.size();
  }
  if (format::is_binary(shown.type)) {
    version->zip->read_range(*shown.entry, offset, out);
    return out.size();
  }
  // A string: value bytes at entry offset 4 + i, then the newline.
  const uint64_t value_size = size - 1;
  std::size_t from_value =
      offset < value_size ? static_cast<std::size_t>(std::min<uint64_t>(out.size(), value_size - offset)) : 0;
  if (from_value) version->zip->read_range(*shown.entry, 4 + offset, out.first(from_value));
  if (from_value < out.size()) out[from_value] = '\n';
  return out.size();
}

}  // namespace pfs::remote
