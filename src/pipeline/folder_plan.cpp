#include "protectedfs/pipeline/folder_plan.hpp"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "protectedfs/format/field_key.hpp"
#include "protectedfs/pipeline/leaf_plan.hpp"
#include "protectedfs/util/file.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::pipeline {
namespace {

namespace fs = std::filesystem;
using format::FieldType;

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

LeafSource file_source(const fs::path& file, uint64_t size) {
  return LeafSource{file.string(), size, [file] { return std::make_unique<FileSource>(file); }};
}

struct Child {
  std::string key;
  std::string name;
  fs::path path;
  bool directory;
  uint64_t size;
};

// `depth`: the schema object this folder becomes, the top level being 1 (format::Schema::kMaxDepth is the most a
// reader accepts, and a protected data nobody can read back must not be written).
void plan_directory(const fs::path& dir, const std::string& zip_prefix, format::Schema& schema, PackPlan& plan,
                    std::size_t depth) {
  if (depth > format::Schema::kMaxDepth)
    throw Error(EINVAL, quote(dir.string()) + " is nested " + std::to_string(depth) +
                            " levels deep: a protected data " + "holds at most " +
                            std::to_string(format::Schema::kMaxDepth) + " levels of folders");
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
      throw Error(EPERM, entry.path().string() +
                             " is not a regular file or folder (symlinks, devices, FIFOs and "
                             "sockets cannot be protected)");
    const std::string key = directory ? format::directory_key(name) : format::file_key(name);
    auto [at, inserted] =
        children.emplace(key, Child{key, name, entry.path(), directory, static_cast<uint64_t>(st.st_size)});
    if (!inserted)
      throw Error(EEXIST, quote(at->second.name) + " and " + quote(name) + " in " + quote(dir.string()) +
                              " would both become the field '" + key + "'");
  }
  // Fields go into the zip in the schema's order: as a JavaScript object orders its keys (array indices such as
  // "9" and "10" first, numerically), then by name.
  std::vector<const Child*> ordered;
  for (const auto& [key, child] : children) ordered.push_back(&child);
  std::sort(ordered.begin(), ordered.end(),
            [](const Child* a, const Child* b) { return format::javascript_key_less(a->key, b->key); });
  for (const Child* entry : ordered) {
    const std::string& key = entry->key;
    const Child& child = *entry;
    const std::string path = zip_prefix + key;
    if (child.directory) {
      plan.items.push_back(ZipItem{.path = path + "/", .directory = true});
      plan_directory(child.path, path + "/", schema.add_object(key), plan, depth + 1);
      continue;
    }
    const LeafSource source = file_source(child.path, child.size);
    PlannedLeaf leaf;
    if (auto attribute = type_attribute(child.path)) {
      FieldType type;
      try {
        type = format::parse_field_type(*attribute);
      } catch (const Error& e) {
        throw Error(EINVAL, child.path.string() + ": " + kTypeAttribute + ": " + e.what());
      }
      leaf = plan_typed_leaf(path, source, type);
    } else {
      leaf = plan_detected_leaf(path, source);
    }
    plan.items.push_back(std::move(leaf.item));
    const FieldType type = leaf.type;
    schema.add(key, type);
  }
}

}  // namespace

FolderPlan plan_folder(const fs::path& folder) {
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) throw_system_error("cannot open folder " + folder.string());
  if (!S_ISDIR(st.st_mode)) throw Error(ENOTDIR, folder.string() + " is not a folder");
  FolderPlan result;
  plan_directory(folder, "", result.schema, result.plan, 1);
  if (result.schema.leaves().empty())
    throw Error(EINVAL, folder.string() + " has no files to protect (names starting with '.' are never published)");
  result.schema.check_limits();  // the key count and size a reader accepts
  result.plan.schema_json = result.schema.to_json();
  return result;
}

}  // namespace pfs::pipeline
