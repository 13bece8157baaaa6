// `protectedfs MOUNTPOINT [-o OPTS] [-f] [-d]` (SPEC.md §1): our -o options are taken out, the rest
// (allow_other, ro, …) is handed to FUSE unchanged.
#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pfs::cli {

struct MountOptions {
  std::filesystem::path mountpoint;
  std::string network;  // local | local:DIR | an iExec network | a profile; empty: the config's default, else local
  std::optional<std::filesystem::path> wallet;
  std::optional<std::string> password_file;
  std::optional<std::filesystem::path> cache;
  std::chrono::milliseconds publish_delay{2000};
  std::chrono::milliseconds sync_interval{10000};  // how often the tree is compared with the network
  bool foreground = false;
  bool debug = false;
  std::vector<std::string> fuse_args;  // "-o", "allow_other,…"
};

// EINVAL with a precise message for an unknown or malformed option.
MountOptions parse_mount_options(const std::vector<std::string>& args);

}  // namespace pfs::cli
