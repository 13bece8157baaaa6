#include "protectedfs/pipeline/unpack.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/borsh.hpp"
#include "protectedfs/format/field_key.hpp"
#include "protectedfs/format/mime_detect.hpp"
#include "protectedfs/format/utf8.hpp"
#include "protectedfs/format/zip_reader.hpp"
#include "protectedfs/pipeline/folder_plan.hpp"
#include "protectedfs/util/file.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::pipeline {
namespace {

namespace fs = std::filesystem;
using format::FieldType;

void verify_checksum(const FileSource& file, const std::string& expected) {
  Bytes digest;
  try {
    digest = from_hex(expected);
  } catch (const Error&) {
  }
  if (digest.size() != 32) throw Error(EINVAL, "the checksum must be 0x followed by 64 hex digits");
  const std::string wanted = to_hex0x(digest);
  const std::string actual = to_hex0x(crypto::Sha256::digest(file));
  if (actual != wanted) throw Error(EBADMSG, "checksum mismatch: expected " + wanted + ", the file has " + actual);
}

// Without a schema: what the bytes most plausibly are.
FieldType guess_type(const format::ZipReader& zip, const format::ZipEntry& entry) {
  Bytes head(static_cast<std::size_t>(std::min<uint64_t>(entry.size, format::kMimeDetectBytes)));
  zip.read_range(entry, 0, head);
  const FieldType mime = format::detect_mime(head);
  if (mime != FieldType::OctetStream) return mime;
  // A borsh string: a length that matches the entry, then UTF-8 without NUL.
  if (entry.size < 4) return FieldType::OctetStream;
  const uint64_t announced = static_cast<uint64_t>(head[0]) | static_cast<uint64_t>(head[1]) << 8 |
                             static_cast<uint64_t>(head[2]) << 16 | static_cast<uint64_t>(head[3]) << 24;
  if (announced != entry.size - 4) return FieldType::OctetStream;
  format::Utf8Validator utf8;
  Bytes buffer(static_cast<std::size_t>(std::min<uint64_t>(entry.size - 4, 1 << 20)));
  for (uint64_t at = 4; at < entry.size;) {
    const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(buffer.size(), entry.size - at));
    zip.read_range(entry, at, std::span(buffer.data(), n));
    if (!utf8.feed(ByteView(buffer.data(), n))) return FieldType::OctetStream;
    at += n;
  }
  return utf8.finish() ? FieldType::String : FieldType::OctetStream;
}

void write_text_file(const fs::path& path, std::string_view text) {
  UniqueFd fd = open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  write_full(fd.get(), as_bytes(text), path.string());
  write_full(fd.get(), as_bytes("\n"), path.string());
}

void extract_leaf(const format::ZipReader& zip, const format::ZipEntry& entry, FieldType type, const fs::path& path) {
  if (format::is_binary(type)) {
    UniqueFd fd = open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    zip.read(entry, [&](ByteView chunk) { write_full(fd.get(), chunk, path.string()); });
    return;
  }
  if (type == FieldType::String) {
    // Stream the value after its 4-byte length so large text needs no large buffer.
    if (entry.size < 4) throw Error(EBADMSG, "field " + quote(entry.name) + " is too short to be a string");
    Bytes length(4);
    zip.read_range(entry, 0, length);
    if (format::decode_string_length(length, entry.size) != entry.size - 4)
      throw Error(EBADMSG, "field " + quote(entry.name) + " is not a valid borsh string");
    UniqueFd fd = open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    format::Utf8Validator utf8;
    uint64_t seen = 0;
    zip.read(entry, [&](ByteView chunk) {
      const std::size_t skip = static_cast<std::size_t>(std::min<uint64_t>(chunk.size(), seen < 4 ? 4 - seen : 0));
      seen += chunk.size();
      chunk = chunk.subspan(skip);
      if (!utf8.feed(chunk)) throw Error(EBADMSG, "field " + quote(entry.name) + " is not valid UTF-8");
      write_full(fd.get(), chunk, path.string());
    });
    if (!utf8.finish()) throw Error(EBADMSG, "field " + quote(entry.name) + " is not valid UTF-8");
    write_full(fd.get(), as_bytes("\n"), path.string());
    return;
  }
  if (entry.size > 16)
    throw Error(EBADMSG, "field " + quote(entry.name) + " is too large for a " + std::string(format::to_string(type)));
  std::string text;
  try {
    text = format::scalar_to_text(type, zip.read_all(entry));
  } catch (const Error& e) {
    throw Error(EBADMSG, "field " + quote(entry.name) + ": " + e.what());
  }
  write_text_file(path, text);
  const std::string_view name = format::to_string(type);
  // Best effort: keeps the type for a later pack; some file systems have no user attributes.
  (void)::setxattr(path.c_str(), kTypeAttribute, name.data(), name.size(), 0);
}

std::string dot_path(std::string_view zip_name) {
  std::string out(zip_name);
  if (!out.empty() && out.back() == '/') out.pop_back();
  std::replace(out.begin(), out.end(), '/', '.');
  return out;
}

// The schema of guessed types, nested as the zip's paths are, in zip order. `type` is empty for a directory.
struct PathType {
  std::vector<std::string> parts;
  std::optional<FieldType> type;
};

// Placed at once (Schema::from_entries): a zip's order is the sender's, and must not make this quadratic.
format::Schema build_schema(const std::vector<PathType>& items) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<PathType>> nested;
  std::map<std::string, FieldType> leaves;
  for (const auto& item : items) {
    const std::string& key = item.parts.front();
    if (!leaves.count(key) && !nested.count(key)) order.push_back(key);
    if (item.parts.size() == 1 && item.type) {
      leaves[key] = *item.type;
    } else {
      auto& children = nested[key];
      if (item.parts.size() > 1) children.push_back({{item.parts.begin() + 1, item.parts.end()}, item.type});
    }
  }
  std::vector<format::Schema::Entry> entries;
  entries.reserve(order.size());
  for (const auto& key : order) {
    if (auto leaf = leaves.find(key); leaf != leaves.end()) entries.push_back({key, leaf->second});
    else entries.push_back({key, build_schema(nested[key])});
  }
  return format::Schema::from_entries(std::move(entries));
}

// A key that is both a field and a folder ("a" and "a/b") can't be extracted, nor be a schema: refused before
// anything is written.
void check_fields_and_folders(const format::ZipReader& zip) {
  std::set<std::string_view> fields, folders;
  for (const auto& entry : zip.entries()) {
    std::string_view name = entry.name;
    if (entry.directory) name.remove_suffix(1);
    else fields.insert(name);
    if (entry.directory) folders.insert(name);
    for (std::size_t slash = name.find('/'); slash != std::string_view::npos; slash = name.find('/', slash + 1))
      folders.insert(name.substr(0, slash));
  }
  for (const std::string_view field : fields)
    if (folders.count(field))
      throw Error(EBADMSG, "the data holds a field and a folder both named " + quote(field) +
                               ": it is not a valid protected data");
}

// The hidden work folder: removed unless the unpack completes.
struct WorkFolder {
  fs::path path;
  bool keep = false;
  ~WorkFolder() {
    std::error_code ignored;
    if (!keep && !path.empty()) fs::remove_all(path, ignored);
  }
};

}  // namespace

UnpackResult unpack(const fs::path& protected_file, const crypto::AesKey& key, const fs::path& output_folder,
                    const UnpackOptions& options) {
  std::error_code ec;
  if (fs::exists(output_folder, ec) && !(fs::is_directory(output_folder) && fs::is_empty(output_folder)))
    throw Error(EEXIST, output_folder.string() + " already exists and is not an empty folder");

  auto file = std::make_shared<FileSource>(protected_file);
  if (options.checksum) verify_checksum(*file, *options.checksum);
  crypto::CbcDecryptingSource plain(file, key);
  // A wrong key fails the padding check, except about once in 256 tries, when the garbage happens to end in valid
  // padding: the zip reader then finds no archive. Both mean the same to the user.
  std::optional<format::ZipReader> zip;
  try {
    zip.emplace(plain);
  } catch (const Error& e) {
    // Only a broken archive structure means a wrong key; an unsafe entry name is reported as what it is.
    if (e.code() != EBADMSG || !std::string_view(e.what()).starts_with("corrupt zip")) throw;
    throw Error(EBADMSG, std::string("decryption failed: wrong key or corrupt file (") + e.what() + ")");
  }

  UnpackResult result;
  std::vector<PathType> guessed;
  for (const auto& entry : zip->entries()) {
    // Every component must be a field key: it names files on this machine.
    std::string_view name = entry.name;
    if (name.back() == '/') name.remove_suffix(1);
    for (std::size_t start = 0; start <= name.size();) {
      const std::size_t slash = std::min(name.find('/', start), name.size());
      if (!format::is_valid_key(name.substr(start, slash - start)))
        throw Error(EBADMSG, "zip entry " + quote(entry.name) + " is not a path of field keys");
      start = slash + 1;
    }
  }
  check_fields_and_folders(*zip);
  if (options.schema) {
    for (const auto& [path, type] : options.schema->leaves()) {
      std::string zip_name = path;
      std::replace(zip_name.begin(), zip_name.end(), '.', '/');
      if (!zip->find(zip_name)) throw Error(EBADMSG, "the schema's field " + quote(path) + " is missing from the data");
    }
  }

  fs::path parent = output_folder.parent_path().empty() ? fs::path(".") : output_folder.parent_path();
  std::string hidden = ".";
  hidden.append(output_folder.filename().string()).append(".unpack-XXXXXX");
  std::string pattern = (parent / hidden).string();
  if (!::mkdtemp(pattern.data())) throw_system_error("cannot create a folder in " + parent.string());
  WorkFolder work{pattern};
  // mkdtemp makes it private; the result is an ordinary folder, as mkdir(1) would make it.
  ::chmod(work.path.c_str(), 0777 & ~current_umask());

  for (const auto& entry : zip->entries()) {
    const std::string path = dot_path(entry.name);
    fs::path target = work.path;
    // Folders on the way: named by their key.
    std::string_view rest = entry.name;
    for (std::size_t slash; (slash = rest.find('/')) != std::string_view::npos;) {
      target /= std::string(rest.substr(0, slash));
      rest.remove_prefix(slash + 1);
      fs::create_directories(target);
    }
    std::vector<std::string> parts;
    for (std::size_t start = 0; start < path.size();) {
      const std::size_t dot = std::min(path.find('.', start), path.size());
      parts.push_back(path.substr(start, dot - start));
      start = dot + 1;
    }
    if (entry.directory) {
      guessed.push_back({parts, std::nullopt});
      continue;
    }
    FieldType type;
    if (options.schema) {
      auto known = options.schema->find(path);
      if (!known) throw Error(EBADMSG, "zip entry " + quote(entry.name) + " is not in the schema");
      type = *known;
    } else {
      type = guess_type(*zip, entry);
    }
    const std::string file_name = format::name_for_field(std::string(rest), type);
    extract_leaf(*zip, entry, type, target / file_name);
    guessed.push_back({parts, type});
    result.fields.push_back({path, type, fs::relative(target / file_name, work.path)});
  }

  if (fs::exists(output_folder)) fs::remove(output_folder);  // the empty folder checked above
  if (::rename(work.path.c_str(), output_folder.c_str()) != 0)
    throw_system_error("cannot create " + output_folder.string());
  work.keep = true;
  if (options.schema) result.schema = *options.schema;
  else result.schema = build_schema(guessed);
  return result;
}

}  // namespace pfs::pipeline
