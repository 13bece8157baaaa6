#include "protectedfs/pipeline/folder_plan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "protectedfs/format/borsh.hpp"
#include "protectedfs/format/classify.hpp"
#include "protectedfs/format/mime_detect.hpp"
#include "protectedfs/format/crc32.hpp"
#include "protectedfs/format/field_key.hpp"
#include "protectedfs/format/utf8.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::pipeline {
namespace {

namespace fs = std::filesystem;
using format::FieldType;

constexpr std::size_t kScanPiece = 1 << 20;
constexpr std::size_t kMaxScalarText = 4096;  // the text of a bool, f64 or i128 is far shorter

std::optional<std::string> type_attribute(const fs::path& file) {
  char value[256];
  ssize_t n = ::getxattr(file.c_str(), kTypeAttribute, value, sizeof value);
  if (n < 0) {
    if (errno == ENODATA || errno == ENOTSUP) return std::nullopt;
    throw_system_error("cannot read " + std::string(kTypeAttribute) + " of " + file.string());
  }
  std::string text(value, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

Bytes read_small(const fs::path& file, uint64_t size, const std::string& why) {
  if (size > kMaxScalarText) throw Error(EINVAL, file.string() + ": too large to hold " + why);
  Bytes content(static_cast<std::size_t>(size));
  UniqueFd fd = open_file(file, O_RDONLY);
  if (read_full(fd.get(), content) != content.size()) throw Error(EBUSY, file.string() + " changed while read");
  return content;
}

// The leaf of a text field: borsh length, then the content without one trailing newline. One pass validates the
// UTF-8 and computes the CRC-32; nullopt (found at the first invalid byte) when the content is not text.
std::optional<ZipItem> text_leaf(const fs::path& file, uint64_t size, const std::string& path) {
  UniqueFd fd = open_file(file, O_RDONLY);
  Bytes last(1);
  const bool newline = size > 0 && (pread_full(fd.get(), last, size - 1, file.string()), last[0] == '\n');
  const uint64_t value = format::string_value_length(size, newline);
  if (value > format::kMaxStringValueBytes) return std::nullopt;
  ZipItem item{.path = path, .file = file, .file_bytes = value, .file_size = size};
  const auto prefix = format::encode_string_length(value);
  item.prefix.assign(prefix.begin(), prefix.end());
  format::Utf8Validator utf8;
  format::Crc32 crc;
  crc.update(item.prefix);
  Bytes buffer(static_cast<std::size_t>(std::min<uint64_t>(value, kScanPiece)));
  for (uint64_t done = 0; done < value;) {
    const std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(buffer.size(), value - done));
    const std::size_t got = read_full(fd.get(), std::span(buffer.data(), want));
    if (got == 0) throw Error(EBUSY, file.string() + " changed while it was read; try again");
    if (!utf8.feed(ByteView(buffer.data(), got))) return std::nullopt;
    crc.update(ByteView(buffer.data(), got));
    done += got;
  }
  if (!utf8.finish()) return std::nullopt;
  item.crc = crc.value();
  return item;
}

// A leaf whose type the user set: scalars are parsed from their text, strings must be text, other types stream
// the file as it is.
ZipItem overridden_leaf(const fs::path& file, uint64_t size, FieldType type, const std::string& path) {
  if (type == FieldType::Bool || type == FieldType::F64 || type == FieldType::I128) {
    const Bytes text = read_small(file, size, "a " + std::string(format::to_string(type)) + " value");
    ZipItem item{.path = path};
    try {
      item.prefix = format::scalar_from_text(type, as_chars(text));
    } catch (const Error& e) {
      throw Error(EINVAL, file.string() + ": " + e.what());
    }
    item.crc = format::Crc32::of(item.prefix);
    return item;
  }
  if (type == FieldType::String) {
    if (auto item = text_leaf(file, size, path)) return *item;
    throw Error(EINVAL, file.string() + ": not UTF-8 text without NUL (or over 4 GiB), so it cannot be a string");
  }
  return ZipItem{.path = path, .file = file, .file_bytes = size, .file_size = size};
}

// A leaf typed by its content: the leading bytes name binary types without reading further; otherwise text is
// a string and anything else application/octet-stream.
ZipItem detected_leaf(const fs::path& file, uint64_t size, FieldType& type, const std::string& path) {
  Bytes head(static_cast<std::size_t>(std::min<uint64_t>(size, format::kMimeDetectBytes)));
  if (!head.empty()) pread_full(open_file(file, O_RDONLY).get(), head, 0, file.string());
  type = format::detect_mime(head);
  if (type == FieldType::OctetStream || format::is_weak_signature(type)) {
    if (auto item = text_leaf(file, size, path)) {
      type = FieldType::String;
      return *item;
    }
  }
  return ZipItem{.path = path, .file = file, .file_bytes = size, .file_size = size};
}

struct Child {
  std::string key;
  std::string name;
  fs::path path;
  bool directory;
  uint64_t size;
};

void plan_directory(const fs::path& dir, const std::string& zip_prefix, format::Schema& schema, PackPlan& plan) {
  std::map<std::string, Child> children;  // by key: the schema lists fields in key order
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw Error(ec.value(), "cannot read folder " + dir.string() + ": " + ec.message());
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (format::is_local_only(name)) continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0) throw_system_error("cannot stat " + entry.path().string());
    const bool directory = S_ISDIR(st.st_mode);
    if (!directory && !S_ISREG(st.st_mode))
      throw Error(EPERM, entry.path().string() + " is not a regular file or folder (symlinks, devices, FIFOs and "
                                                 "sockets cannot be protected)");
    const std::string key = directory ? format::directory_key(name) : format::file_key(name);
    auto [at, inserted] = children.emplace(key, Child{key, name, entry.path(), directory,
                                                      static_cast<uint64_t>(st.st_size)});
    if (!inserted)
      throw Error(EEXIST, "'" + at->second.name + "' and '" + name + "' in " + dir.string() +
                              " would both become the field '" + key + "'");
  }
  // Fields go into the zip in the schema's order: as a JavaScript object orders its keys (array indices such as
  // "9" and "10" first, numerically), then by name.
  std::vector<const Child*> ordered;
  for (const auto& [key, child] : children) ordered.push_back(&child);
  // `children` is in name order; indices have no leading zeros, so among equal lengths name order is numeric.
  std::stable_sort(ordered.begin(), ordered.end(), [](const Child* a, const Child* b) {
    const bool a_index = format::is_array_index_key(a->key), b_index = format::is_array_index_key(b->key);
    if (a_index != b_index) return a_index;
    return a_index && a->key.size() < b->key.size();
  });
  for (const Child* entry : ordered) {
    const std::string& key = entry->key;
    const Child& child = *entry;
    const std::string path = zip_prefix + key;
    if (child.directory) {
      plan.items.push_back(ZipItem{.path = path + "/", .directory = true});
      plan_directory(child.path, path + "/", schema.add_object(key), plan);
      continue;
    }
    FieldType type;
    if (auto attribute = type_attribute(child.path)) {
      try {
        type = format::parse_field_type(*attribute);
      } catch (const Error& e) {
        throw Error(EINVAL, child.path.string() + ": " + kTypeAttribute + ": " + e.what());
      }
      plan.items.push_back(overridden_leaf(child.path, child.size, type, path));
    } else {
      plan.items.push_back(detected_leaf(child.path, child.size, type, path));
    }
    schema.add(key, type);
  }
}

}  // namespace

FolderPlan plan_folder(const fs::path& folder) {
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) throw_system_error("cannot open folder " + folder.string());
  if (!S_ISDIR(st.st_mode)) throw Error(ENOTDIR, folder.string() + " is not a folder");
  FolderPlan result;
  plan_directory(folder, "", result.schema, result.plan);
  if (result.schema.leaves().empty())
    throw Error(EINVAL, folder.string() + " has no files to protect (names starting with '.' are never published)");
  result.plan.schema_json = result.schema.to_json();
  return result;
}

}  // namespace pfs::pipeline
