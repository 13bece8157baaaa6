// Commands that ask a running daemon do it through its mount: the attributes of SPEC.md §3 are the whole
// interface (no socket), so anyone who can read the mount can ask.
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace pfs::cli {

// The attribute's value; the errno of getxattr otherwise (ENODATA for a missing one).
std::string read_attribute(const std::filesystem::path& path, const char* name);
// The mount point given, or the only protectedfs mount of the machine; EINVAL otherwise.
std::filesystem::path resolve_mount(const std::string& given);
// The root's user.protected.queue.
nlohmann::json queue_of(const std::filesystem::path& mount);
// The protectedfs mount a path is in (the path itself or one of its parents), or empty.
std::filesystem::path mount_of(const std::filesystem::path& path);

}  // namespace pfs::cli
